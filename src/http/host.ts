// Which Host a request names, before any tenant is chosen by it (S13). RFC 9112 §3.2: a request
// with more than one Host field is answered 400; RFC 9112 §3.2.2: a request in absolute-form names
// its authority in the target. Node keeps the first of two Host fields and hands an absolute-form
// target through unchanged, so either could pick one tenant while a proxy in front saw another:
// both are refused, never resolved.
import type { IncomingMessage } from 'node:http';

export const HOST_TEXT = {
  duplicate: 'A request must carry exactly one Host header',
  mismatch: 'The request target names another host than the Host header',
} as const;

/** Why the request's host is ambiguous, or undefined when it is not. */
export function hostProblem(raw: IncomingMessage): string | undefined {
  const headers = raw.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
  }
  if (hosts > 1) return HOST_TEXT.duplicate;
  const target = raw.url ?? '';
  // origin-form (and asterisk-form): the Host field alone names the authority.
  if (target.startsWith('/') || target === '*') return undefined;
  return sameAuthority(target, raw.headers.host) ? undefined : HOST_TEXT.mismatch;
}

/** Whether an absolute-form target's authority is the Host field's (case and default port aside). */
function sameAuthority(target: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const url = new URL(target);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    const named = new URL(`${url.protocol}//${host}`);
    // A Host field that parses as more than an authority (path, query, credentials) names nothing.
    const plain = (u: URL): boolean => u.username === '' && u.password === '';
    return plain(url) && plain(named) && named.pathname === '/' && named.search === '' && named.hash === '' && named.host === url.host;
  } catch {
    return false;
  }
}
