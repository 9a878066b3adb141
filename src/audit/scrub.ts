// Masks token- and key-shaped text inside free-form strings: the last line of defence for the
// server log (http/logger.ts) and the tenant log (audit-log.ts) alike (T-LOG-01, ASVS 16.2.5).

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const PEM_LIKE = /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g;

/** Masks token- and key-shaped text inside a free-form string. */
export function scrub(text: string): string {
  return text.replace(JWT_LIKE, '[jwt]').replace(PEM_LIKE, '[pem]');
}
