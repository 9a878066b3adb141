// Token debugger: paste a token to read and check it (Inspect), or edit a header and payload and
// sign them with HS256 (Sign). Everything happens in the browser; the token is never sent anywhere
// except as the subject of the Management API look-ups Inspect makes (its kid, client and jti).
import { useState } from 'react';
import { decodeJwt } from '../lib/jwt.ts';
import { useSession } from '../lib/session.tsx';
import { Button, EmptyState, Page, Tabs } from '../components/ui.tsx';
import { Inspect } from './debugger/Inspect.tsx';
import { Sign } from './debugger/Sign.tsx';

const TABS = [
  { id: 'inspect', label: 'Inspect' },
  { id: 'sign', label: 'Sign (HS256)' },
];

export function DebuggerPage(_props: { params: Record<string, string> }) {
  const { token: sessionToken } = useSession();
  const [text, setText] = useState('');
  const [tab, setTab] = useState('inspect');
  const token = text.trim().replace(/^Bearer\s+/i, '');
  const decoded = token === '' ? undefined : decodeJwt(token);

  return (
    <Page title="Token debugger">
      <div className="field field-wide">
        <label htmlFor="debugger-token">Token</label>
        <textarea
          id="debugger-token"
          className="mono debugger-token"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="eyJhbGciOi…"
          spellCheck={false}
          autoComplete="off"
          rows={5}
          aria-invalid={token !== '' && !decoded}
          aria-describedby="debugger-token-error"
        />
        <p className="field-error" id="debugger-token-error" role="alert">
          {token !== '' && !decoded ? 'Not a JWT: expected three base64url parts (header.payload.signature) whose first two are JSON objects.' : ''}
        </p>
        <div className="form-actions">
          <Button onClick={() => void sessionToken().then(setText)}>Use my dashboard token</Button>
          {text !== '' && <Button onClick={() => setText('')}>Clear</Button>}
        </div>
      </div>
      <Tabs tabs={TABS} active={tab} onChange={setTab} idOf={(t) => `debugger-tab-${t}`} />
      <div role="tabpanel" id={`debugger-tab-${tab}-panel`} aria-labelledby={`debugger-tab-${tab}`}>
      {tab === 'inspect' &&
        (decoded ? (
          <Inspect key={token} token={token} decoded={decoded} />
        ) : (
          <EmptyState title="Paste a token above.">
            <p>Its header and claims, expiry in local time, the key and application that issued it, its signature and its denylist status appear here.</p>
          </EmptyState>
        ))}
      {tab === 'sign' && (
        <Sign
          from={decoded}
          onInspect={(t) => {
            setText(t);
            setTab('inspect');
          }}
        />
      )}
      </div>
    </Page>
  );
}
