// scopeward decode TOKEN — header, claims and expiry of a token, and whether its signature checks
// out against the issuing tenant's published JWKS. Exit 0 only for a valid, unexpired token.
import { createPublicKey, verify } from 'node:crypto';
import type { Command } from 'commander';
import { configFrom, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { requestJson, trustedCas } from '../http-client.ts';

function part(segment: string | undefined, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new CliError(`not a JWT: the ${what} is not base64url JSON`, EXIT.usage);
}

export function describeDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d && `${d}d`, h && `${h}h`, `${m}m`].filter(Boolean).join(' ');
}

export function decodeCommand(program: Command): void {
  withConfigOptions(program.command('decode').description("Decode a token and check its signature against its tenant's JWKS.").argument('<token>', 'the JWT'), ['dataDir'])
    .option('--domain <host>', 'tenant host to fetch the JWKS from (default: the host in the token issuer)')
    .option('--json', 'print JSON')
    .action(async (token: string, options: Record<string, unknown>) => {
      const segments = token.trim().split('.');
      if (segments.length !== 3) throw new CliError('not a JWT: expected three dot-separated segments', EXIT.usage);
      const header = part(segments[0], 'header');
      const claims = part(segments[1], 'payload');
      const { domain: _d, ...rest } = options;
      const config = configFrom(rest);
      const iss = typeof claims.iss === 'string' ? claims.iss : undefined;
      const host = typeof options.domain === 'string' ? options.domain : iss ? new URL(iss).host : config.domain;

      let signature: string;
      let valid = false;
      if (header.alg === 'RS256') {
        const jwks = await requestJson(`https://${host}/.well-known/jwks.json`, { ca: trustedCas(config.dataDir) });
        const keys = ((jwks.body as { keys?: Record<string, unknown>[] } | undefined)?.keys ?? []);
        const jwk = keys.find((k) => k.kid === header.kid);
        if (!jwk) {
          signature = `unknown key: kid ${String(header.kid)} is not in https://${host}/.well-known/jwks.json (revoked, or another tenant)`;
        } else {
          const key = createPublicKey({ key: { kty: 'RSA', n: String(jwk.n), e: String(jwk.e) }, format: 'jwk' });
          valid = verify('sha256', Buffer.from(`${segments[0]}.${segments[1]}`), key, Buffer.from(segments[2]!, 'base64url'));
          signature = valid ? `valid (RS256, key ${String(header.kid)} of https://${host}/)` : 'INVALID: the signature does not match the published key';
        }
      } else {
        signature = `not checked: alg ${String(header.alg)} (HS256 tokens need their secret; jwks only holds RS256 keys)`;
      }
      const now = Math.floor(Date.now() / 1000);
      const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
      const expiry = exp === undefined ? 'never expires (no exp)' : `${new Date(exp * 1000).toISOString()} (${exp > now ? `in ${describeDuration(exp - now)}` : `expired ${describeDuration(now - exp)} ago`})`;
      const expired = exp !== undefined && exp <= now;
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify({ header, claims, expires: exp === undefined ? null : new Date(exp * 1000).toISOString(), expired, signature_valid: valid, signature }, null, 2)}\n`);
      } else {
        process.stdout.write(
          [`header:    ${JSON.stringify(header)}`, 'claims:', ...Object.entries(claims).map(([k, v]) => `  ${k.padEnd(9)} ${JSON.stringify(v)}`), `expires:   ${expiry}`, `signature: ${signature}`].join('\n') + '\n',
        );
      }
      if (!valid || expired) process.exitCode = EXIT.failure;
    });
}
