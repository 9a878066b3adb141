// Redirect URI matching at /authorize (RFC 9700 §2.1, D9): the exact string of a registered
// callback, nothing else — no case folding, no normalisation, no wildcards — with the one exception
// RFC 8252 §7.3 makes for native apps: a registered loopback IP literal (127.0.0.1 or [::1]) over
// http matches the same URI on any port. `localhost` is a name, not a loopback literal (T-RU-24).

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(\/[^\s#]*)?$/;

/** The part of a loopback URI after host[:port], or undefined for anything else. */
function loopbackParts(uri: string): { host: string; rest: string } | undefined {
  const m = LOOPBACK.exec(uri);
  if (!m) return undefined;
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return undefined;
  return { host: m[1]!, rest: m[3] ?? '' };
}

export function redirectUriMatches(candidate: string, registered: readonly string[]): boolean {
  // Control characters and spaces never appear in a registered URI (refused when written).
  // eslint-disable-next-line no-control-regex -- exactly what must never match
  if (/[\u0000-\u0020\u007f]/.test(candidate)) return false;
  if (registered.includes(candidate)) return true;
  const c = loopbackParts(candidate);
  if (!c) return false;
  return registered.some((r) => {
    const p = loopbackParts(r);
    return p !== undefined && p.host === c.host && p.rest === c.rest;
  });
}

/** RFC 6749 §3.1.2.3: with no redirect_uri, a client with exactly one callback uses it. */
export function defaultRedirectUri(registered: readonly string[]): string | undefined {
  return registered.length === 1 ? registered[0] : undefined;
}

/** The origin of an absolute http(s) URI, or undefined. */
export function originOf(uri: string): string | undefined {
  try {
    const u = new URL(uri);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}
