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

/** Search nodes after which the best cover found so far is returned (keeps the CLI responsive). */
const SEARCH_BUDGET = 200_000;

/**
 * The smallest scope set admitting every endpoint: all-of scopes are mandatory; the any-of
 * requirements are a hitting-set problem, solved by branch and bound over the candidates in
 * preference order (scopes that serve more endpoints, then earlier-listed ones), so that among the
 * smallest sets the most preferred is returned. Trying every set of growing size instead took
 * minutes for twenty-odd endpoints; past the search budget the best cover found so far is used.
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
  const rank = new Map(candidates.map((s, i) => [s, i]));
  // Each requirement as the candidate indexes that satisfy it.
  const needs = open.map((r) => [...new Set(r.scopes)].map((s) => rank.get(s)!).sort((a, b) => a - b));

  // Greedy cover as the starting bound: always valid, often already minimal.
  const greedy: number[] = [];
  for (let i = 0; i < candidates.length; i++) if (needs.some((n) => n.includes(i) && !n.some((x) => greedy.includes(x)))) greedy.push(i);
  let best = greedy.map((i) => candidates[i]!);
  let bound = best.length + 1; // look for covers of size < bound, so an equal-size preferred one replaces greedy
  let nodes = 0;

  const search = (i: number, picked: number[], uncovered: number[][]): void => {
    if (uncovered.length === 0) {
      best = picked.map((x) => candidates[x]!);
      bound = picked.length;
      return;
    }
    if (i >= candidates.length || ++nodes > SEARCH_BUDGET) return;
    // Lower bound: requirements whose remaining candidates are pairwise disjoint need one scope each.
    const used = new Set<number>();
    let lower = 0;
    for (const n of uncovered) {
      const rest = n.filter((x) => x >= i);
      if (rest.length === 0) return; // cannot be covered from here on
      if (rest.every((x) => !used.has(x))) {
        lower++;
        rest.forEach((x) => used.add(x));
      }
    }
    if (picked.length + lower >= bound) return;
    // Include candidate i first (depth-first, so preferred candidates win ties), then skip it.
    const remaining = uncovered.filter((n) => !n.includes(i));
    if (remaining.length < uncovered.length) search(i + 1, [...picked, i], remaining);
    search(i + 1, picked, uncovered);
  };
  search(0, [], needs);
  return [...chosen, ...best];
}
