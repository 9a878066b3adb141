// Legacy Management API tokens (spec §2.3, D8): HS256, signed with the base64-decoded Global
// Client Secret, `aud` = the Global Client Id, any lifetime (or none, as the old flow allowed).
// Minted here only with a jti, so that every one of them can be put on the denylist.
import { newJti } from '../domain/ids.ts';
import { signHs256, type JsonObject } from './jws.ts';

/** The seed document's warning, shown wherever such a token is made or legacy tokens are enabled. */
export const LEGACY_TOKEN_WARNING = 'Long-lived tokens compromise your security. Following this process is NOT recommended.';

export interface LegacyTokenInput {
  issuer: string;
  globalClientId: string;
  /** The Global Client Secret as shown to users (its base64 decoding is the HMAC key). */
  globalClientSecret: string;
  scopes: readonly string[];
  /** Seconds since the epoch. */
  now: number;
  /** Seconds; undefined for a token without exp. */
  expiresIn: number | undefined;
}

export function mintLegacyToken(input: LegacyTokenInput): { token: string; jti: string; claims: JsonObject } {
  const jti = newJti();
  const claims: JsonObject = { iss: input.issuer, aud: input.globalClientId, scope: input.scopes.join(' '), iat: input.now, jti };
  if (input.expiresIn !== undefined) claims.exp = input.now + input.expiresIn;
  const token = signHs256({ alg: 'HS256', typ: 'JWT' }, claims, Buffer.from(input.globalClientSecret, 'base64'));
  return { token, jti, claims };
}

/** "3600", "90s", "15m", "12h", "30d", "1y" or "never" (→ undefined). */
export function parseLifetime(text: string): number | undefined {
  if (text === 'never') return undefined;
  const m = /^(\d+)([smhdy]?)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a lifetime (e.g. 3600, 15m, 12h, 30d, 1y or never)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, y: 31_536_000 }[m[2] as '' | 's' | 'm' | 'h' | 'd' | 'y'];
  const seconds = Number(m[1]) * unit;
  if (seconds < 1) throw new Error('a lifetime must be at least one second');
  return seconds;
}
