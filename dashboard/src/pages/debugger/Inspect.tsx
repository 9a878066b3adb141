// What a pasted token says and whether to believe it: header and claims, its times in local time,
// the signing key and client it names (looked up through the Management API), its signature
// against the tenant's keys, and whether it is on the denylist.
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, seg } from '../../lib/api.ts';
import { formatDate } from '../../lib/format.ts';
import { formatJson } from '../../lib/json-edit.ts';
import type { DecodedJwt } from '../../lib/jwt.ts';
import { Link } from '../../lib/router.tsx';
import { useSession } from '../../lib/session.tsx';
import { useAsync } from '../../lib/use-async.ts';
import { isDenylisted, LEGACY_TOKEN_WARNING, secretKey, timeClaims, tokenClientId, type DenylistEntry } from '../../lib/token-inspect.ts';
import { Button, CopyButton, ErrorBanner } from '../../components/ui.tsx';
import { keyState, type SigningKey } from '../SigningKeys.tsx';
import { verifyWithJwks, verifyWithSecret, type Verdict } from './crypto.ts';

interface ClientFacts {
  client_id: string;
  name: string;
  app_type?: string;
  global?: boolean;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function VerdictText({ verdict }: { verdict: Verdict }) {
  return <p className={`verdict ${verdict.ok ? 'notice' : 'error-banner'}`} data-verdict={verdict.ok ? 'valid' : 'invalid'}>{verdict.text}</p>;
}

/** "not found" for a 404 (the thing is not this tenant's), the error's sentence otherwise. */
function lookupError(error: unknown, missing: string): ReactNode {
  if (error instanceof ApiError && error.status === 404) return <span className="badge scope-missing">{missing}</span>;
  return <ErrorBanner error={error} />;
}

export function Inspect({ token, decoded }: { token: string; decoded: DecodedJwt }) {
  const { api, config } = useSession();
  const { header, payload } = decoded;
  const alg = typeof header.alg === 'string' ? header.alg : undefined;
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const clientId = tokenClientId(header, payload);
  const jti = typeof payload.jti === 'string' ? payload.jti : undefined;
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 15_000);
    return () => clearInterval(t);
  }, []);

  const key = useAsync(async () => (kid === undefined ? undefined : api.get<SigningKey>(`/keys/signing/${seg(kid)}`)), [api, kid]);
  const client = useAsync(
    async () => (clientId === undefined ? undefined : api.get<ClientFacts>(`/clients/${seg(clientId)}`, { fields: 'name,client_id,app_type,global', include_fields: true })),
    [api, clientId],
  );
  // Every entry (not ?aud=): an entry without aud names the token too, as the server decides.
  const denylist = useAsync(async () => (jti === undefined ? undefined : api.get<DenylistEntry[]>('/blacklists/tokens')), [api, jti]);
  const rs256 = useAsync(async () => (alg === 'RS256' ? verifyWithJwks(token) : undefined), [token, alg]);
  const [hs256, setHs256] = useState<Verdict>();
  const [hsBusy, setHsBusy] = useState(false);
  useEffect(() => setHs256(undefined), [token]);

  const verifyGlobal = () => {
    setHsBusy(true);
    // The secret is read now, used once and dropped: it is never put in state or the page.
    api
      .get<{ client_secret?: string }[]>('/clients', { is_global: true, fields: 'client_secret', include_fields: true })
      .then(async ([found]) => {
        const k = found?.client_secret === undefined ? undefined : secretKey(found.client_secret, true);
        return k ? verifyWithSecret(token, k, 'the Global Client Secret') : ({ ok: false, text: 'The Global Client Secret could not be read.' } as const);
      })
      .catch((e: unknown): Verdict => ({ ok: false, text: e instanceof Error ? e.message : String(e) }))
      .then((v) => {
        setHs256(v);
        setHsBusy(false);
      }, () => setHsBusy(false));
  };

  const times = timeClaims(payload, now);
  const neverExpires = typeof payload.exp !== 'number';
  const iss = typeof payload.iss === 'string' ? payload.iss : undefined;

  return (
    <div className="debugger-inspect">
      <section className="panel" aria-labelledby="dbg-verify-title">
        <h2 id="dbg-verify-title">Verification</h2>
        <dl className="facts">
          <Row label="Algorithm">
            <code>{alg ?? '(none)'}</code>
          </Row>
          <Row label="Signature">
            <div className="debugger-signature">
              {alg === 'RS256' && (rs256.data ? <VerdictText verdict={rs256.data} /> : <span>Checking against /.well-known/jwks.json…</span>)}
              {alg === 'HS256' && (
                <>
                  <p className="hint">HS256 tokens are legacy Management API tokens: they verify with the base64-decoded Global Client Secret (Advanced tenant settings).</p>
                  {hs256 ? <VerdictText verdict={hs256} /> : null}
                  <Button onClick={verifyGlobal} disabled={hsBusy}>
                    Verify with the global client secret
                  </Button>
                </>
              )}
              {alg !== 'RS256' && alg !== 'HS256' && <VerdictText verdict={{ ok: false, text: `Tokens of this tenant are RS256 (or legacy HS256); "${alg ?? 'none'}" is not verified here.` }} />}
            </div>
          </Row>
          <Row label="Issuer">
            {iss === undefined ? '—' : <code>{iss}</code>} {iss !== undefined && (iss === config.issuer ? <span className="badge scope-ok">this tenant</span> : <span className="badge scope-missing">another issuer</span>)}
          </Row>
          <Row label="Signing key">
            {kid === undefined ? (
              '—'
            ) : (
              <>
                <code>{kid}</code>{' '}
                {key.data ? <span className={`badge key-state ${keyState(key.data) === 'revoked' ? 'scope-missing' : 'scope-ok'}`}>{keyState(key.data)}</span> : key.error !== undefined ? lookupError(key.error, 'not a key of this tenant') : null}
              </>
            )}
          </Row>
          <Row label="Client">
            {clientId === undefined ? (
              <span className="hint">No azp, client_id or client sub.</span>
            ) : (
              <>
                {client.data ? (
                  <Link to={`/applications/${seg(clientId)}`} className="debugger-client-name">
                    {client.data.name}
                  </Link>
                ) : client.error !== undefined ? (
                  lookupError(client.error, 'no such application')
                ) : null}{' '}
                <code>{clientId}</code> {client.data?.global && <span className="badge">Global Client</span>}
                {client.data?.app_type && <span className="badge">{client.data.app_type}</span>}
              </>
            )}
          </Row>
          <Row label="Denylist">
            {jti === undefined ? (
              <span className="hint">No jti: it cannot be denylisted.</span>
            ) : denylist.data ? (
              isDenylisted(denylist.data, payload, clientId) ? (
                <span className="badge scope-missing denylist-status">denylisted: the Management API refuses it</span>
              ) : (
                <span className="badge scope-ok denylist-status">not denylisted</span>
              )
            ) : (
              denylist.error !== undefined && <ErrorBanner error={denylist.error} />
            )}
          </Row>
        </dl>
      </section>
      {(times.length > 0 || neverExpires) && (
        <section className="panel" aria-labelledby="dbg-times-title">
          <h2 id="dbg-times-title">Times (local)</h2>
          {neverExpires && (
            <p className="warning never-expires">
              No <code>exp</code>: this token never expires. {LEGACY_TOKEN_WARNING}
            </p>
          )}
          <dl className="facts">
            {times.map((t) => (
              <Row key={t.claim} label={t.claim}>
                <span className={`time-claim time-${t.claim}`}>
                  {formatDate(t.seconds)} ({t.relative}) <span className={`badge ${t.ok ? 'scope-ok' : 'scope-missing'}`}>{t.status}</span>
                </span>
              </Row>
            ))}
          </dl>
        </section>
      )}
      <div className="debugger-json">
        <section className="panel" aria-labelledby="dbg-header-title">
          <h2 id="dbg-header-title">Header</h2>
          <pre className="raw-json">{formatJson(header)}</pre>
          <CopyButton value={formatJson(header)} label="Copy header" />
        </section>
        <section className="panel" aria-labelledby="dbg-payload-title">
          <h2 id="dbg-payload-title">Payload</h2>
          <pre className="raw-json debugger-payload">{formatJson(payload)}</pre>
          <CopyButton value={formatJson(payload)} label="Copy payload" />
        </section>
      </div>
    </div>
  );
}
