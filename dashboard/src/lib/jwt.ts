// Reads a JWT's header and payload without verifying it: the explorer and the token debugger show
// what a token claims; only the server can say whether it is genuine. Free of DOM and React.

export type JsonObject = Record<string, unknown>;

export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
}

/** base64url (RFC 7515 §2) to UTF-8 text; undefined when it is not base64url. */
function base64UrlText(part: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1) return undefined;
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  try {
    const binary = atob(base64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function jsonObject(text: string | undefined): JsonObject | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The header and payload of a compact JWS (`header.payload.signature`), unverified; undefined when
 * the text is not one (wrong number of parts, not base64url, not JSON objects). Surrounding
 * whitespace and a leading "Bearer " are ignored, as people paste both.
 */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.trim().replace(/^Bearer\s+/i, '').split('.');
  if (parts.length !== 3) return undefined;
  const header = jsonObject(base64UrlText(parts[0]!));
  const payload = jsonObject(base64UrlText(parts[1]!));
  return header && payload ? { header, payload } : undefined;
}
