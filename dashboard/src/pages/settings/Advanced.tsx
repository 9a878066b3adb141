// Advanced tenant settings: the Global Client Id and Secret (the secret read only when Reveal is
// clicked, never kept in the page before), rotating that secret, and the legacy-token switch,
// which asks first and shows the source documents' warning (seed: "Long-lived tokens compromise
// your security").
import { useState } from 'react';
import { seg } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { useAsync } from '../../lib/use-async.ts';
import { LEGACY_SWITCH_WARNING, LEGACY_TOKEN_WARNING } from '../../lib/token-inspect.ts';
import { ConfirmButton, ConfirmDialog, CopyButton, ErrorBanner, Loading, Secret } from '../../components/ui.tsx';
import type { TenantSettingsWire } from '../../lib/settings-form.ts';

export const LEGACY_FLAG = 'enable_legacy_management_tokens';

interface GlobalClient {
  client_id: string;
  client_secret?: string;
}

export function AdvancedSettings({ settings, onSaved }: { settings: TenantSettingsWire; onSaved: (s: TenantSettingsWire) => void }) {
  const { api } = useSession();
  // Only the id: fields=client_id keeps the secret out of this answer (and so out of memory and the DOM).
  const global = useAsync(() => api.get<GlobalClient[]>('/clients', { is_global: true, fields: 'client_id', include_fields: true }), [api]);
  const [rotations, setRotations] = useState(0);
  const [asking, setAsking] = useState(false);
  const [switchError, setSwitchError] = useState<unknown>();
  const legacy = settings.flags?.[LEGACY_FLAG] === true;
  const clientId = global.data?.[0]?.client_id;

  const revealSecret = async (): Promise<string> => {
    const [found] = await api.get<GlobalClient[]>('/clients', { is_global: true, fields: 'client_id,client_secret', include_fields: true });
    if (!found?.client_secret) throw new Error('The Global Client Secret could not be read.');
    return found.client_secret;
  };
  const setLegacy = async (on: boolean) => onSaved(await api.patch<TenantSettingsWire>('/tenants/settings', { flags: { [LEGACY_FLAG]: on } }));

  return (
    <section className="panel advanced-settings" aria-labelledby="advanced-title">
      <h2 id="advanced-title">Advanced</h2>
      <h3>Global Client Id and Secret</h3>
      <p className="hint">They sign and identify legacy HS256 Management API tokens (the token's <code>aud</code> is the Global Client Id; the secret, base64-decoded, is the HMAC key).</p>
      {global.loading && <Loading />}
      <ErrorBanner error={global.error} />
      {clientId !== undefined && (
        <dl className="facts">
          <dt>Global Client Id</dt>
          <dd>
            <code className="global-client-id">{clientId}</code> <CopyButton value={clientId} label="Copy Global Client Id" />
          </dd>
          <dt>Global Client Secret</dt>
          <dd>
            <Secret key={rotations} label="Global Client Secret" load={revealSecret} />
          </dd>
        </dl>
      )}
      {clientId !== undefined && (
        <ConfirmButton
          label="Rotate global secret"
          title="Rotate the Global Client Secret?"
          body={
            <>
              <p>A new secret is generated and the current one stops working at once.</p>
              <p className="warning">Every legacy token signed with the current secret is invalidated, including long-lived ones people may still use.</p>
            </>
          }
          confirmLabel="Rotate secret"
          onConfirm={async () => {
            // The answer carries the new secret: not kept; Reveal reads it again when asked.
            await api.post(`/clients/${seg(clientId)}/rotate-secret`);
            setRotations((n) => n + 1);
          }}
        />
      )}

      <h3>Legacy Management API tokens</h3>
      <label className="switch">
        <input
          id="legacy-switch"
          type="checkbox"
          role="switch"
          checked={legacy}
          aria-describedby="legacy-hint"
          onChange={(e) => {
            setSwitchError(undefined);
            // Turning them on asks first; turning them off is always safe.
            if (e.target.checked) setAsking(true);
            else setLegacy(false).catch(setSwitchError);
          }}
        />
        <span>Accept legacy HS256 Management API tokens</span>
      </label>
      <p className="hint" id="legacy-hint">
        Off by default. When on, tokens signed with the Global Client Secret (<code>flags.{LEGACY_FLAG}</code>) are accepted by the Management API.
      </p>
      {legacy && <p className="warning legacy-warning">{LEGACY_SWITCH_WARNING}</p>}
      <ErrorBanner error={switchError} />
      <ConfirmDialog
        open={asking}
        title="Accept legacy tokens?"
        body={
          <>
            <p className="warning">{LEGACY_TOKEN_WARNING}</p>
            <p>Whoever holds the Global Client Secret can then mint Management API tokens with any scope and any lifetime, even tokens that never expire. Prefer the client credentials grant.</p>
          </>
        }
        confirmLabel="Accept legacy tokens"
        onConfirm={() => setLegacy(true)}
        onClose={() => setAsking(false)}
      />
    </section>
  );
}
