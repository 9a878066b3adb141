// Which denylist entry, if any, names a verified token (spec §3.5.6, D6): an entry without an
// audience matches the jti alone; one with an audience matches a token whose aud (or one of its
// audiences) or azp/client_id equals it.
import type { JsonObject } from './jws.ts';

/** The matching entry's audience ('' for "any"), or undefined when the token is not listed. */
export function denylistMatch(listed: ReadonlySet<string> | undefined, claims: JsonObject, clientId: string | undefined): string | undefined {
  if (!listed) return undefined;
  const auds = Array.isArray(claims.aud) ? (claims.aud as unknown[]).map(String) : [String(claims.aud)];
  return [...listed].find((a) => a === '' || auds.includes(a) || a === clientId);
}
