// The tenant switcher: each tenant has its own domain, issuer and admins, so switching is a full
// navigation to the other tenant's dashboard (which signs in there), never a token swap here.
import { useId } from 'react';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

interface Tenant {
  name: string;
  domain: string;
  friendly_name?: string;
  dashboard_url: string;
  current: boolean;
}

/** Only http(s) addresses are followed: the list comes from the server, but a URL is still input. */
function safeUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function TenantSwitcher() {
  const { api } = useSession();
  const id = useId();
  const { data } = useAsync(() => api.get<Tenant[]>('/scopeward/tenants'), [api]);
  // One tenant, or a failed call (older server, missing scope): nothing to switch between.
  if (!data || data.length < 2) return null;
  const current = data.find((t) => t.current);
  const go = (name: string) => {
    const target = data.find((t) => t.name === name);
    const url = target && !target.current ? safeUrl(target.dashboard_url) : undefined;
    if (url) window.location.assign(url);
  };
  return (
    <div className="tenant-switcher">
      <label htmlFor={id}>Tenant</label>
      <select id={id} value={current?.name ?? ''} onChange={(e) => go(e.target.value)}>
        {!current && <option value="">Choose a tenant</option>}
        {data.map((t) => (
          <option key={t.name} value={t.name}>
            {t.friendly_name && t.friendly_name !== t.name ? `${t.friendly_name} (${t.domain})` : t.domain}
          </option>
        ))}
      </select>
    </div>
  );
}
