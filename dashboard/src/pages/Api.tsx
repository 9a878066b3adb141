// One API, in Auth0's tabs: Settings, Permissions, Machine to Machine Applications and API Explorer.
// The tab is part of the address (/apis/management/explorer, lib/api-paths.ts), so a reload, a
// shared link or Auth0's documented paths open the same one. The Management API is /apis/management.
import { useEffect, useState } from 'react';
import { seg } from '../lib/api.ts';
import { API_TABS, apiPath, apiTabOf, MANAGEMENT_SLUG } from '../lib/api-paths.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { CopyButton, ErrorBanner, Loading, Page, Tabs } from '../components/ui.tsx';
import { ApiSettings } from './api/ApiSettings.tsx';
import { Permissions } from './api/Permissions.tsx';
import { M2mApplications } from './api/M2mApplications.tsx';
import { ApiExplorer } from './api/ApiExplorer.tsx';
import { API_FIELDS, type ResourceServer } from './wire.ts';

export function ApiPage({ params }: { params: Record<string, string> }) {
  const { api, config } = useSession();
  const { search } = useLocation();
  const apiId = params.id ?? '';
  // GET /resource-servers/{id} takes the URL-encoded identifier too: /apis/management needs no list.
  const key = apiId === MANAGEMENT_SLUG ? config.audience : apiId;
  const { data, error, loading } = useAsync(() => api.get<ResourceServer>(`/resource-servers/${seg(key)}`, { fields: API_FIELDS, include_fields: true }), [api, key]);
  const [rs, setRs] = useState<ResourceServer>();
  useEffect(() => setRs(data), [data]);
  const tab = apiTabOf(params.tab ?? search.get('tab'));
  const tabId = (t: string) => `api-tab-${t}`;

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
      <Tabs tabs={[...API_TABS]} active={tab} idOf={tabId} onChange={(t) => navigate(apiPath(rs, config.audience, apiTabOf(t)), { replace: true })} />
      <div role="tabpanel" id={`${tabId(tab)}-panel`} aria-labelledby={tabId(tab)}>
        {tab === 'settings' && <ApiSettings rs={rs} onSaved={setRs} />}
        {tab === 'permissions' && <Permissions rs={rs} onSaved={setRs} />}
        {tab === 'authorized-applications' && <M2mApplications rs={rs} />}
        {/* Mounted afresh on each visit to the tab: each visit shows a fresh token (Auth0: "A token is automatically generated"). */}
        {tab === 'explorer' && <ApiExplorer rs={rs} />}
      </div>
    </Page>
  );
}
