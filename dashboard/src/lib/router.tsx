// A small history-API router: the dashboard has a dozen fixed routes, not worth a dependency.
// Paths are written without the /dashboard prefix ("/applications/abc"); <Link> and navigate()
// add it. The explorer lives at /explorer, outside the prefix.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export const BASE = '/dashboard';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** Absolute URL path for a dashboard path ("/explorer" stays as is). */
export function href(path: string): string {
  return path.startsWith('/explorer') ? path : `${BASE}${path === '/' ? '/' : path}`;
}

/**
 * Auth0's dashboard addresses are hash routes (https://manage.auth0.com/#/apis/management/explorer);
 * /dashboard/#/apis/… becomes /dashboard/apis/… before anything reads the location.
 */
export function adoptHashRoute(): void {
  const { pathname, hash, search } = window.location;
  if ((pathname === BASE || pathname === `${BASE}/`) && hash.startsWith('#/') && hash.length > 2) history.replaceState(null, '', `${BASE}${hash.slice(1)}${search}`);
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = href(path);
  if (options.replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

/** The current dashboard path without the prefix, and the query string. */
export function currentPath(): { path: string; search: URLSearchParams } {
  const { pathname, search } = window.location;
  const path = pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length) : pathname === BASE ? '/' : pathname;
  return { path, search: new URLSearchParams(search) };
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return currentPath();
}

/** Matches "/applications/:id" against a path; returns the decoded params or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.replace(/\/+$/, '').split('/');
  if (pattern === '/' && (path === '/' || path === '')) return {};
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i] ?? '';
    const got = a[i] ?? '';
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      params[want.slice(1)] = decodeURIComponent(got);
    } else if (want !== got) return undefined;
  }
  return params;
}

export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={href(to)} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
