// The tenant's default token quota (issue 15): Auth0's `default_token_quota.clients`, for every
// application without a quota of its own. Its `organizations` member is kept as it is.
import { useSession } from '../../lib/session.tsx';
import type { TenantSettingsWire } from '../../lib/settings-form.ts';
import type { TokenQuotaWire } from '../../lib/token-quota.ts';
import { TokenQuotaEditor } from '../../components/TokenQuotaEditor.tsx';

interface DefaultQuota {
  clients?: TokenQuotaWire;
  organizations?: unknown;
}

export function DefaultTokenQuota({ settings, onSaved }: { settings: TenantSettingsWire; onSaved: (s: TenantSettingsWire) => void }) {
  const { api } = useSession();
  const current = settings.default_token_quota as DefaultQuota | null | undefined;
  const save = async (next: TokenQuotaWire | null) => {
    const organizations = current?.organizations;
    const value = next || organizations !== undefined ? { ...(next && { clients: next }), ...(organizations !== undefined && { organizations }) } : null;
    onSaved(await api.patch<TenantSettingsWire>('/tenants/settings', { default_token_quota: value }));
  };
  return (
    <TokenQuotaEditor
      id="default-quota"
      title="Default token quota"
      intro="Applies to every application that has no token quota of its own: client-credentials tokens per UTC hour and day."
      value={current?.clients}
      onSave={save}
    />
  );
}
