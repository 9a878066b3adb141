// Token-endpoint parameters, read strictly (RFC 6749 §3.1, §3.2): each parameter at most once
// (counting the query string and the body together), values must be strings, and a parameter
// sent with an empty value counts as not sent. A JSON null counts as not sent too: Auth0 reads it
// so, and its Python SDK always sends `"organization": null` (issue 12, E1); a required parameter
// sent as null is therefore refused with the text for a missing one. Nothing here interprets
// nesting or arrays.
import { invalidRequest, TOKEN_TEXT } from './errors.ts';

export type Params = ReadonlyMap<string, string>;

/** `body` comes from http/body.ts: form fields repeated on the wire arrive as arrays. */
export function readParams(body: unknown, query: Record<string, unknown>): Params {
  const params = new Map<string, string>();
  const seen = new Set<string>();
  const add = (name: string, value: unknown): void => {
    if (value === null) return;
    if (seen.has(name)) throw invalidRequest(TOKEN_TEXT.duplicateParameter(name));
    seen.add(name);
    // A repeated form field arrives as an array of two or more strings; any other array is a JSON value.
    const repeated = Array.isArray(value) && value.length > 1 && value.every((v) => typeof v === 'string');
    if (repeated) throw invalidRequest(TOKEN_TEXT.duplicateParameter(name));
    if (typeof value !== 'string') throw invalidRequest(TOKEN_TEXT.notAString(name));
    // NUL is never part of an identifier or secret, and PostgreSQL text cannot hold it.
    if (value.includes('\u0000') || name.includes('\u0000')) throw invalidRequest(TOKEN_TEXT.controlCharacter(name));
    if (value !== '') params.set(name, value);
  };
  if (body !== undefined && body !== null) {
    if (typeof body !== 'object' || Array.isArray(body)) throw invalidRequest(TOKEN_TEXT.malformedBody);
    for (const [name, value] of Object.entries(body)) add(name, value);
  }
  for (const name of Object.keys(query)) {
    if (seen.has(name)) throw invalidRequest(TOKEN_TEXT.duplicateParameter(name));
  }
  return params;
}
