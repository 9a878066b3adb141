// Request bodies. JSON: an empty body (or a literal null) is "no body" (spec §1.2: the SDKs send
// rotate/revoke with no body, go-auth0 sends null), prototype-polluting keys are refused.
// Forms: parsed with URLSearchParams into a prototype-free object; a repeated field becomes an
// array so that the token endpoint can refuse it (RFC 6749 §3.2), and `a[b]=c` is just a name.
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

export class BodySyntaxError extends Error {
  override name = 'BodySyntaxError';
  statusCode = 400;
}

export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      const value: unknown = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
      done(null, value ?? undefined);
    } catch {
      done(new BodySyntaxError('The request body is not valid JSON'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const fields = Object.create(null) as Record<string, string | string[]>;
    for (const [name, value] of new URLSearchParams(String(body))) {
      const seen = fields[name];
      fields[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    done(null, fields);
  });
}
