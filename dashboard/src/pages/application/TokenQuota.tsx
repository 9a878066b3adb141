// An application's token quota (issue 15): Auth0's `token_quota.client_credentials`, saved with
// PATCH /clients/{id}; without one, the tenant default (Tenant settings) applies.
import { seg } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { TokenQuotaEditor } from '../../components/TokenQuotaEditor.tsx';
import type { Client } from '../wire.ts';

export function ApplicationTokenQuota({ client, readOnly, onSaved }: { client: Client; readOnly: boolean; onSaved: (c: Client) => void }) {
  const { api } = useSession();
  return (
    <TokenQuotaEditor
      id="app-quota"
      title="Token quota"
      intro="Caps the client-credentials tokens this application is issued. Without a quota of its own, the tenant's default quota (Tenant settings) applies."
      value={client.token_quota}
      readOnly={readOnly}
      onSave={async (next) => onSaved({ ...client, ...(await api.patch<Client>(`/clients/${seg(client.client_id)}`, { token_quota: next })) })}
    />
  );
}
