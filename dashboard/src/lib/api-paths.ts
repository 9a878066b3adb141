// Readable, stable dashboard addresses for APIs and their tabs, as Auth0's dashboard has them
// (the seeds' manage URLs: #/apis/management/explorer, #/apis/management/authorized-applications):
// the Management API is /apis/management, whatever its id; a tab is a path segment. The older
// ?tab= addresses and Auth0's other tab names still open the same tab. Pure, unit-testable.

/** The Management API's address segment. */
export const MANAGEMENT_SLUG = 'management';

export const API_TABS = [
  { id: 'settings', label: 'Settings' },
  { id: 'permissions', label: 'Permissions' },
  { id: 'authorized-applications', label: 'Machine to Machine Applications' },
  { id: 'explorer', label: 'API Explorer' },
] as const;

export type ApiTab = (typeof API_TABS)[number]['id'];

/** Other names the same tabs go by (Auth0's "scopes" and "test", Scopeward's earlier ?tab=m2m). */
const ALIASES: Readonly<Record<string, ApiTab>> = { m2m: 'authorized-applications', 'machine-to-machine-applications': 'authorized-applications', scopes: 'permissions', test: 'explorer' };

/** The tab a path segment or ?tab= names; Settings when it names none. */
export function apiTabOf(name: string | null | undefined): ApiTab {
  if (!name) return 'settings';
  const known = API_TABS.find((t) => t.id === name);
  return known ? known.id : (ALIASES[name] ?? 'settings');
}

/** The address of an API (and tab): /apis/management/explorer, /apis/<id>/permissions. */
export function apiPath(api: { id: string; identifier: string }, managementAudience: string, tab?: ApiTab): string {
  const slug = api.identifier === managementAudience ? MANAGEMENT_SLUG : encodeURIComponent(api.id);
  return tab === undefined || tab === 'settings' ? `/apis/${slug}` : `/apis/${slug}/${tab}`;
}
