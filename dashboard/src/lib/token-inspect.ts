// The token debugger's reasoning, free of React and the DOM so that it is unit tested: the time
// claims in words, which client a token belongs to, whether the denylist names it (as the server
// decides: src/tokens/revocation.ts), and the HMAC key a secret stands for.

/** The seed document's warning, as `scopeward token --legacy` prints it (src/tokens/legacy.ts). */
export const LEGACY_TOKEN_WARNING = 'Long-lived tokens compromise your security. Following this process is NOT recommended.';

/** What the server says when legacy tokens are turned on (src/management/tenant-settings.ts). */
export const LEGACY_SWITCH_WARNING =
  'Legacy HS256 Management API tokens are now accepted for this tenant. They are signed with the Global Client Secret, can be minted with any scope and any lifetime by whoever holds it, and long-lived tokens compromise your security. Prefer the client credentials grant.';

export type Claims = Record<string, unknown>;

export interface TimeClaim {
  claim: 'exp' | 'iat' | 'nbf';
  /** Seconds since the epoch. */
  seconds: number;
  relative: string;
  /** exp: expired/valid; nbf: not yet valid/valid; iat: in the future/issued. */
  status: 'expired' | 'valid' | 'not yet valid' | 'issued' | 'in the future';
  ok: boolean;
}

const UNITS: [number, string][] = [
  [31_536_000, 'year'],
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** "in 5 minutes", "3 hours ago", "just now": the largest whole unit. */
export function relativeTime(deltaSeconds: number): string {
  const abs = Math.abs(deltaSeconds);
  if (abs < 1) return 'just now';
  const [size, unit] = UNITS.find(([s]) => abs >= s) ?? [1, 'second'];
  const n = Math.floor(abs / size);
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return deltaSeconds > 0 ? `in ${text}` : `${text} ago`;
}

/** exp, iat and nbf (numeric ones only) relative to `now` (seconds), in that order. */
export function timeClaims(payload: Claims, now: number): TimeClaim[] {
  const out: TimeClaim[] = [];
  for (const claim of ['exp', 'iat', 'nbf'] as const) {
    const seconds = payload[claim];
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) continue;
    const relative = relativeTime(seconds - now);
    if (claim === 'exp') out.push({ claim, seconds, relative, status: seconds <= now ? 'expired' : 'valid', ok: seconds > now });
    else if (claim === 'nbf') out.push({ claim, seconds, relative, status: seconds > now ? 'not yet valid' : 'valid', ok: seconds <= now });
    else out.push({ claim, seconds, relative, status: seconds > now + 60 ? 'in the future' : 'issued', ok: seconds <= now + 60 });
  }
  return out;
}

/** The token's audiences as a list (`aud` may be one string or several). */
export function audiences(payload: Claims): string[] {
  const aud = payload.aud;
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/**
 * The client a token was issued to: `azp`, then `client_id`, then a client-credentials `sub`
 * (`ID@clients`); for a legacy HS256 token (no such claim) its `aud`, the Global Client Id.
 */
export function tokenClientId(header: Claims, payload: Claims): string | undefined {
  for (const claim of ['azp', 'client_id'] as const) {
    const v = payload[claim];
    if (typeof v === 'string' && v !== '') return v;
  }
  const sub = payload.sub;
  if (typeof sub === 'string' && sub.endsWith('@clients') && sub.length > '@clients'.length) return sub.slice(0, -'@clients'.length);
  const aud = audiences(payload);
  if (header.alg === 'HS256' && aud.length === 1) return aud[0];
  return undefined;
}

export interface DenylistEntry {
  aud?: string;
  jti: string;
}

/** Whether an entry of GET /blacklists/tokens names this token (an entry without aud names every token with that jti). */
export function isDenylisted(entries: readonly DenylistEntry[], payload: Claims, clientId: string | undefined): boolean {
  const jti = payload.jti;
  if (typeof jti !== 'string') return false;
  const auds = audiences(payload);
  return entries.some((e) => e.jti === jti && (e.aud === undefined || e.aud === '' || auds.includes(e.aud) || e.aud === clientId));
}

/**
 * The HMAC key a secret stands for: its base64 (or base64url) decoding when `base64` is set, as
 * for the Global Client Secret; otherwise its UTF-8 bytes. Undefined when it is not base64.
 */
export function secretKey(secret: string, base64: boolean): Uint8Array | undefined {
  if (!base64) return new TextEncoder().encode(secret);
  const s = secret.trim().replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return undefined;
  const binary = atob(s + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
