// One API, in Auth0's tabs: Settings, Permissions, Machine to Machine Applications and API Explorer.
// The tab is kept in the address (?tab=) so a reload or a shared link opens the same one.
import { useEffect, useState } from 'react';
import { seg } from '../lib/api.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { CopyButton, ErrorBanner, Loading, Page, Tabs } from '../components/ui.tsx';
import { ApiSettings } from './api/ApiSettings.tsx';
import { Permissions } from './api/Permissions.tsx';
import { M2mApplications } from './api/M2mApplications.tsx';
import { ApiExplorer } from './api/ApiExplorer.tsx';
import { API_FIELDS, type ResourceServer } from './wire.ts';

const TABS = [
  { id: 'settings', label: 'Settings' },
  { id: 'permissions', label: 'Permissions' },
  { id: 'm2m', label: 'Machine to Machine Applications' },
  { id: 'explorer', label: 'API Explorer' },
];

export function ApiPage({ params }: { params: Record<string, string> }) {
  const { api } = useSession();
  const { search } = useLocation();
  const apiId = params.id ?? '';
  const { data, error, loading } = useAsync(() => api.get<ResourceServer>(`/resource-servers/${seg(apiId)}`, { fields: API_FIELDS, include_fields: true }), [api, apiId]);
  const [rs, setRs] = useState<ResourceServer>();
  useEffect(() => setRs(data), [data]);
  const requested = search.get('tab') ?? '';
  const tab = TABS.some((t) => t.id === requested) ? requested : 'settings';

  if (!rs) {
    return (
      <Page title="API">
        <p>
          <Link to="/apis">← APIs</Link>
        </p>
        {loading ? <Loading /> : <ErrorBanner error={error} />}
      </Page>
    );
  }
  return (
    <Page title={rs.name}>
      <p className="crumbs">
        <Link to="/apis">← APIs</Link> {rs.is_system && <span className="badge">System API</span>}
      </p>
      <p className="identifier">
        <span className="hint">Identifier</span> <code>{rs.identifier}</code> <CopyButton value={rs.identifier} label="Copy identifier" />
      </p>
      <Tabs tabs={TABS} active={tab} onChange={(t) => navigate(`/apis/${seg(apiId)}?tab=${t}`, { replace: true })} />
      <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)?.label}>
        {tab === 'settings' && <ApiSettings rs={rs} onSaved={setRs} />}
        {tab === 'permissions' && <Permissions rs={rs} onSaved={setRs} />}
        {tab === 'm2m' && <M2mApplications rs={rs} />}
        {tab === 'explorer' && <ApiExplorer rs={rs} />}
      </div>
    </Page>
  );
}
