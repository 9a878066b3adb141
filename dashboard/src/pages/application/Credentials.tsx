// An application's credentials: domain, client id, the secret (fetched only when Reveal is
// pressed) and its rotation, with Scopeward's optional grace period for the old secret.
import { useCallback, useId, useState } from 'react';
import { seg } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { ConfirmButton, CopyButton, Notice, Secret } from '../../components/ui.tsx';
import { rotationFacts } from '../../lib/rotation-facts.ts';
import type { Client } from '../wire.ts';

/** `secretless`: the dashboard's own application has no secret at all (public, code + PKCE). */
export function Credentials({ client, protectedApp, secretless, onRotated }: { client: Client; protectedApp: boolean; secretless: boolean; onRotated: () => void }) {
  const { api, config } = useSession();
  const [grace, setGrace] = useState('0');
  // Remounting the Secret hides a revealed value once it is no longer the current secret.
  const [generation, setGeneration] = useState(0);
  const [notice, setNotice] = useState<string>();
  const graceId = useId();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const id = seg(client.client_id);
  const loadSecret = () => api.get<{ client_secret?: string }>(`/clients/${id}`, { fields: 'client_secret', include_fields: true }).then((c) => c.client_secret ?? '');
  const graceSeconds = Math.max(0, Math.floor(Number(grace) || 0));
  const rotate = async () => {
    // The answer carries the new secret (Auth0 wire); it is dropped here and shown only on Reveal.
    await api.post(`/clients/${id}/rotate-secret`, graceSeconds > 0 ? { previous_secret_grace_seconds: graceSeconds } : {});
    setGeneration((g) => g + 1);
    setNotice(graceSeconds > 0 ? `Secret rotated. The old secret keeps working for ${graceSeconds} seconds.` : 'Secret rotated. The old secret no longer works.');
    onRotated();
  };
  const rotation = client.client_secret_rotation;
  const isPublic = client.token_endpoint_auth_method === 'none';
  return (
    <section className="panel" aria-labelledby={`${graceId}-h`}>
      <h2 id={`${graceId}-h`}>{client.global ? 'Global Client ID and Secret' : 'Basic information'}</h2>
      <dl className="facts">
        <dt>Domain</dt>
        <dd>
          <code>{config.domain}</code> <CopyButton value={config.domain} label="Copy domain" />
        </dd>
        <dt>Client ID</dt>
        <dd>
          <code data-testid="client-id">{client.client_id}</code> <CopyButton value={client.client_id} label="Copy client ID" />
        </dd>
        {!secretless && <dt>Client Secret</dt>}
        {!secretless && <dd>
          {isPublic && !client.global ? (
            <p className="hint">
              This application authenticates with no secret (token endpoint auth method <code>none</code>); a secret exists but is not used.
            </p>
          ) : null}
          <Secret key={generation} label="Client secret" load={loadSecret} />
          {rotationFacts(rotation, Date.now()).map((fact) => (
            <p key={fact} className="hint rotation-fact">
              {fact}
            </p>
          ))}
        </dd>}
      </dl>
      {!protectedApp && (
        <ConfirmButton
          label="Rotate secret"
          title="Rotate the client secret?"
          confirmLabel="Rotate"
          onConfirm={rotate}
          body={
            <>
              <p>A new secret is generated. Every service using the current one must be updated, or its token requests will be refused.</p>
              <div className="field">
                <label htmlFor={graceId}>Keep the old secret working for (seconds)</label>
                <input id={graceId} type="number" min={0} max={2592000} step={1} value={grace} onChange={(e) => setGrace(e.target.value)} />
                <p className="hint">0 (as in Auth0): the old secret stops at once. Up to 30 days.</p>
              </div>
            </>
          }
        />
      )}
      <Notice text={notice} onDone={clearNotice} />
    </section>
  );
}
