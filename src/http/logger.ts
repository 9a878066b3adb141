// Structured logs (pino) that never carry a secret (ASVS 16.2.5, security catalogue §2.11): the
// request serializer drops headers and masks sensitive query values, redact paths cover anything
// that might be logged by mistake, and a last scrubber masks JWT- and PEM-shaped text.
import pino, { type DestinationStream, type Logger } from 'pino';
import { scrub } from '../audit/scrub.ts';

const SENSITIVE_QUERY = /^(code|code_verifier|access_token|id_token|id_token_hint|refresh_token|client_secret|client_assertion|assertion|subject_token|actor_token|password|token|state|nonce)$/i;

/** Masks sensitive query values, and any token-shaped text left anywhere in the URL (T-LOG-01). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return scrub(url);
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (SENSITIVE_QUERY.test(key)) params.set(key, '[redacted]');
  return scrub(`${url.slice(0, q)}?${params.toString()}`);
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.client_secret',
          '*.password',
          '*.access_token',
          '*.id_token',
          '*.refresh_token',
          '*.code_verifier',
          '*.signing_secret',
          'body',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method?: string; url?: string; hostname?: string; host?: string; ip?: string }) => ({
          method: req.method,
          url: req.url ? redactUrl(req.url) : undefined,
          host: req.host ?? req.hostname,
          ip: req.ip,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: (err: Error) => ({ type: err.name, message: scrub(err.message), stack: err.stack ? scrub(err.stack) : undefined }),
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    destination,
  );
}
