// The two cookies of the browser flows. Both are __Host- cookies (Secure, Path=/, no Domain, so
// no sibling host can set or read them), HttpOnly, SameSite=Lax: sent on top-level navigations to
// /authorize and in same-site frames (silent authentication), never on cross-site subrequests or
// cross-site POSTs (T-UI-01, T-UI-06). See docs/decisions/0005-browser-flows.md.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = '__Host-scopeward_session';
export const BROWSER_COOKIE = '__Host-scopeward_browser';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Sets a cookie; `maxAgeSeconds` undefined: a browser-session cookie; 0: delete it. */
export function setCookie(reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  const parts = [`${name}=${value}`, 'Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax'];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}
