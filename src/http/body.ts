// Request bodies. JSON: an empty body (or a literal null) is "no body" (spec §1.2: the SDKs send
// rotate/revoke with no body, go-auth0 sends null), prototype-polluting keys are refused.
// Forms: parsed with URLSearchParams into a prototype-free object; a repeated field becomes an
// array so that the token endpoint can refuse it (RFC 6749 §3.2), and `a[b]=c` is just a name.
// Both are read as UTF-8, so a body declared in another charset is refused rather than misread,
// and a JSON byte-order mark is refused rather than skipped (T-TOK-02, T-TOK-03). A JSON body
// nested deeper than MAX_JSON_DEPTH is refused before it is parsed, so no recursive walk of the
// value (validation, log redaction, storage) can run out of stack on it (S10).
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { parseStrictJson } from '../tokens/strict-json.ts';

export class BodySyntaxError extends Error {
  override name = 'BodySyntaxError';
  statusCode = 400;
}

/**
 * The deepest nesting of objects and arrays a JSON body may have (docs/operations.md). No Auth0
 * body needs more than a handful of levels; 64 leaves room for deep user and app metadata.
 */
export const MAX_JSON_DEPTH = 64;

export class BodyTooDeep extends Error {
  override name = 'BodyTooDeep';
  statusCode = 400;
  readonly limit: number;
  constructor(limit: number) {
    super(`JSON body nested deeper than ${limit} levels`);
    this.limit = limit;
  }
}

/**
 * Whether JSON text nests objects and arrays deeper than `limit`: one pass over the text, no
 * recursion, brackets inside strings skipped. Malformed text is left for the parser to refuse.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, stepping over escapes.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

function declaresForeignCharset(request: FastifyRequest): boolean {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '');
  return match !== null && !/^(utf-?8|us-ascii)$/i.test(match[1] ?? '');
}

/**
 * The JSON and form parsers of `app` and the contexts registered in it, in place of any it had.
 * `strictJson`: a repeated member name is refused too (the Authentication API's endpoints).
 */
export function installBodyParsers(app: FastifyInstance, { strictJson }: { strictJson: boolean }): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (declaresForeignCharset(request)) return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
    const text = String(body);
    if (text.charCodeAt(0) === 0xfeff) return done(new BodySyntaxError('The request body starts with a byte-order mark'), undefined);
    if (text.trim() === '') return done(null, undefined);
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return done(new BodyTooDeep(MAX_JSON_DEPTH), undefined);
    try {
      const value: unknown = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
      // RFC 6749 §3.1: a token-endpoint parameter is sent at most once, so a repeated member name,
      // which JSON.parse silently resolves to the last, is refused too (T-TOK-07).
      if (strictJson) parseStrictJson(text);
      done(null, value ?? undefined);
    } catch {
      done(new BodySyntaxError('The request body is not valid JSON'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    if (declaresForeignCharset(request)) return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
    const fields = Object.create(null) as Record<string, string | string[]>;
    for (const [name, value] of new URLSearchParams(String(body))) {
      const seen = fields[name];
      fields[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    done(null, fields);
  });
}
