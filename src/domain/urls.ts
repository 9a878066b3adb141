// Rules for the URLs an application registers (callbacks, origins, logout URLs). Checked when they
// are written, so nothing dangerous is ever stored (T-RU-20/21): no script-capable schemes, no
// fragments, no credentials, no wildcards (D9: matching is exact), plain http only for loopback.

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'filesystem:']);

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A problem with `value` as a callback or logout URL, or undefined when it is acceptable. */
export function redirectUrlProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects (T-RU-19)
  if (value !== value.trim() || /[\u0000-\u001f\u007f\s]/.test(value)) return 'must not contain spaces or control characters';
  if (value.includes('*')) return 'wildcards are not supported; register each URL exactly';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol.toLowerCase())) return `${url.protocol} URLs are not allowed`;
  if (value.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) return 'must not contain credentials';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'http is only allowed for localhost; use https';
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname) return 'has no host';
  return undefined;
}

/** A problem with `value` as a web origin (scheme://host[:port]), or undefined. */
export function originProblem(value: string): string | undefined {
  const base = redirectUrlProblem(value);
  if (base) return base;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) origin';
  if (value.replace(/\/$/, '') !== url.origin) return 'must be an origin (scheme://host[:port]) without path or query';
  return undefined;
}
