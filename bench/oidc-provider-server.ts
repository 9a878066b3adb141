// The comparison server: panva's oidc-provider configured for what Scopeward's hot path does, the
// client credentials grant (client_secret_post) for one API, issuing RS256 JWT access tokens
// (resource indicators with accessTokenFormat 'jwt'), a 2048-bit key, in-memory everything.
// Spec as JSON in BENCH_SPEC (kept out of process listings: it holds a secret); prints "listening"
// when ready.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import Provider, { errors } from 'oidc-provider';

export interface OidcProviderSpec {
  port: number;
  clientId: string;
  clientSecret: string;
  /** The resource indicator (same string as our Management API audience). */
  audience: string;
  scope: string;
  /** PEM files for HTTPS; plain HTTP without them. */
  certFile?: string;
  keyFile?: string;
}

const spec = JSON.parse(process.env.BENCH_SPEC ?? '') as OidcProviderSpec;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', use: 'sig', alg: 'RS256' };
const lifetime = 86_400;

const provider = new Provider(`https://localhost:${spec.port}`, {
  clients: [
    {
      client_id: spec.clientId,
      client_secret: spec.clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
      scope: spec.scope,
    },
  ],
  scopes: ['openid', 'offline_access', spec.scope],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  routes: { token: '/oauth/token' },
  ttl: { ClientCredentials: () => lifetime },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => spec.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, resource: string) => {
        if (resource !== spec.audience) throw new errors.InvalidTarget();
        return { scope: spec.scope, audience: spec.audience, accessTokenTTL: lifetime, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
});

const handler = provider.callback();
const server = spec.certFile && spec.keyFile ? https.createServer({ cert: readFileSync(spec.certFile), key: readFileSync(spec.keyFile) }, handler) : http.createServer(handler);
server.listen(spec.port, '127.0.0.1', () => process.stdout.write('listening\n'));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
