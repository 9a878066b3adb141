// Which scopes a set of Management API calls needs: each endpoint's accepted scopes and the
// smallest set of scopes that admits every one of them (`scopeward scopes-for`, the explorer).
import { API_PREFIX_PATH } from './paths.ts';
import type { ManagementRoute } from './route.ts';

export interface EndpointScopes {
  endpoint: string;
  route: ManagementRoute;
  /** Any one of these admits the call, or all of them when `mode` is 'all'. */
  scopes: readonly string[];
  mode: 'any' | 'all';
}

function matches(template: string, path: string): boolean {
  const t = template.split('/');
  const p = path.split('/');
  return t.length === p.length && t.every((seg, i) => seg.startsWith(':') ? p[i] !== '' : seg === p[i]);
}

/** Finds the route for "METHOD /api/v2/path" (the path may be concrete or use :params). */
export function findRoute(routes: readonly ManagementRoute[], endpoint: string): ManagementRoute | undefined {
  const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(endpoint);
  if (!m) return undefined;
  const method = m[1]!.toUpperCase();
  let path = m[2]!.split('?')[0]!;
  if (path.startsWith(API_PREFIX_PATH)) path = path.slice(API_PREFIX_PATH.length);
  path = path.replace(/\{([^}]+)\}/g, ':$1');
  return routes.find((r) => r.method === method && matches(r.url, path));
}

export function endpointScopes(routes: readonly ManagementRoute[], endpoint: string): EndpointScopes | undefined {
  const route = findRoute(routes, endpoint);
  return route && { endpoint, route, scopes: route.scopes, mode: route.scopeMode ?? 'any' };
}

/**
 * The smallest scope set admitting every endpoint: all-of scopes are mandatory; the any-of
 * requirements are a hitting-set problem, solved exactly by trying sets of growing size (the
 * candidates are few). Ties go to scopes that serve more endpoints, then to earlier-listed ones.
 */
export function minimalScopes(requirements: readonly EndpointScopes[]): string[] {
  const chosen = new Set<string>();
  for (const r of requirements) if (r.mode === 'all') r.scopes.forEach((s) => chosen.add(s));
  const open = requirements.filter((r) => r.mode === 'any' && !r.scopes.some((s) => chosen.has(s)));
  if (open.length === 0) return [...chosen];

  const score = new Map<string, { count: number; first: number }>();
  open.forEach((r) =>
    r.scopes.forEach((s, i) => {
      const e = score.get(s) ?? { count: 0, first: Number.MAX_SAFE_INTEGER };
      score.set(s, { count: e.count + 1, first: Math.min(e.first, i) });
    }),
  );
  const candidates = [...score.keys()].sort((a, b) => score.get(b)!.count - score.get(a)!.count || score.get(a)!.first - score.get(b)!.first);
  const covers = (set: string[]): boolean => open.every((r) => r.scopes.some((s) => set.includes(s)));

  const search = (size: number, start: number, picked: string[]): string[] | undefined => {
    if (picked.length === size) return covers(picked) ? picked : undefined;
    for (let i = start; i < candidates.length; i++) {
      const found = search(size, i + 1, [...picked, candidates[i]!]);
      if (found) return found;
    }
    return undefined;
  };
  // Exact search is cheap for the handful of candidates real requests have; past that, greedy.
  if (candidates.length > 24) {
    const picked: string[] = [];
    for (const s of candidates) if (!covers(picked) && open.some((r) => r.scopes.includes(s) && !r.scopes.some((x) => picked.includes(x)))) picked.push(s);
    return [...chosen, ...picked];
  }
  for (let size = 1; size <= Math.min(open.length, candidates.length); size++) {
    const found = search(size, 0, []);
    if (found) return [...chosen, ...found];
  }
  return [...chosen, ...open.map((r) => r.scopes[0]!)];
}
