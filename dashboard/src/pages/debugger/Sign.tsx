// Edit a token's header and payload and sign it with HS256 in the browser (the secret never leaves
// the page), as the source documents' legacy flow does with a JWT debugger; with their warning.
import { useEffect, useId, useState } from 'react';
import { formatJson, parseJsonObject } from '../../lib/json-edit.ts';
import type { DecodedJwt } from '../../lib/jwt.ts';
import { useSession } from '../../lib/session.tsx';
import { LEGACY_TOKEN_WARNING, secretKey } from '../../lib/token-inspect.ts';
import { Button, CopyButton, ErrorBanner } from '../../components/ui.tsx';
import { signHs256 } from './crypto.ts';

function JsonArea({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const id = useId();
  const parsed = parseJsonObject(value);
  return (
    <div className="field field-wide">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="mono json-editor" value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} rows={8} aria-invalid={!parsed.ok} aria-describedby={`${id}-error`} />
      <p className="field-error" id={`${id}-error`} role="alert">
        {parsed.ok ? '' : parsed.error}
      </p>
    </div>
  );
}

export function Sign({ from, onInspect }: { from: DecodedJwt | undefined; onInspect: (token: string) => void }) {
  const { api, config } = useSession();
  const [header, setHeader] = useState(() => formatJson({ alg: 'HS256', typ: 'JWT' }));
  const [payload, setPayload] = useState(() => formatJson(from?.payload ?? { iss: config.issuer }));
  const [secret, setSecret] = useState('');
  const [base64, setBase64] = useState(true);
  const [signed, setSigned] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [templateError, setTemplateError] = useState<unknown>();

  // Re-signed as you type, as the source documents' debugger does.
  useEffect(() => {
    let stale = false;
    const h = parseJsonObject(header);
    const p = parseJsonObject(payload);
    const key = secretKey(secret, base64);
    const fail = (text: string | undefined) => {
      setSigned(undefined);
      setProblem(text);
    };
    if (!h.ok || !p.ok) fail('Fix the JSON above to sign.');
    else if (secret === '') fail(undefined);
    else if (!key) fail('The secret is not base64: untick “secret is base64 encoded”, or paste the Global Client Secret as shown.');
    else {
      signHs256(h.value, p.value, key).then(
        (t) => !stale && (setSigned(t), setProblem(undefined)),
        (e: unknown) => !stale && fail(e instanceof Error ? e.message : String(e)),
      );
    }
    return () => {
      stale = true;
    };
  }, [header, payload, secret, base64]);

  const legacyTemplate = () => {
    setTemplateError(undefined);
    api.get<{ client_id: string }[]>('/clients', { is_global: true, fields: 'client_id', include_fields: true }).then(([global]) => {
      const now = Math.floor(Date.now() / 1000);
      setHeader(formatJson({ alg: 'HS256', typ: 'JWT' }));
      setPayload(formatJson({ iss: config.issuer, aud: global?.client_id ?? 'GLOBAL_CLIENT_ID', scope: 'read:clients read:client_keys', iat: now, exp: now + 3600, jti: crypto.randomUUID() }));
    }, setTemplateError);
  };

  return (
    <section className="panel debugger-sign" aria-labelledby="dbg-sign-title">
      <h2 id="dbg-sign-title">Sign with HS256</h2>
      <p className="warning legacy-token-warning">
        <strong>{LEGACY_TOKEN_WARNING}</strong> Legacy tokens are signed with the Global Client Secret, can carry any scope and any lifetime, and are accepted only while the tenant's legacy-token switch is on. Prefer the client credentials grant.
      </p>
      <p className="hint">
        For a legacy Management API token: <code>aud</code> is the Global Client Id, <code>iss</code> is <code>{config.issuer}</code>, <code>scope</code> lists the scopes, and the secret is the Global Client Secret with “secret is base64 encoded” ticked. The secret is used in this page only; it is never sent.
      </p>
      <div className="form-actions">
        <Button onClick={legacyTemplate}>Fill in a legacy token template</Button>
      </div>
      <ErrorBanner error={templateError} />
      <div className="debugger-json">
        <JsonArea label="Header" value={header} onChange={setHeader} />
        <JsonArea label="Payload" value={payload} onChange={setPayload} />
      </div>
      <div className="field">
        <label htmlFor="dbg-secret">Secret</label>
        <input id="dbg-secret" type="password" autoComplete="off" spellCheck={false} value={secret} onChange={(e) => setSecret(e.target.value)} />
      </div>
      <div className="switch-row">
        <input id="dbg-base64" type="checkbox" checked={base64} onChange={(e) => setBase64(e.target.checked)} />
        <label htmlFor="dbg-base64">secret is base64 encoded</label>
      </div>
      {problem && <p className="field-error">{problem}</p>}
      {signed && (
        <div className="field field-wide">
          <label htmlFor="dbg-signed">Signed token</label>
          <textarea id="dbg-signed" className="mono signed-token" readOnly value={signed} rows={4} />
          <div className="form-actions">
            <CopyButton value={signed} label="Copy token" />
            <Button onClick={() => onInspect(signed)}>Inspect this token</Button>
          </div>
        </div>
      )}
    </section>
  );
}
