// scopeward token — get an access token by the client credentials grant, over HTTPS, exactly as
// an application would (with its secret, or with --private-key a Private Key JWT assertion signed
// here as the auth0 SDK signs it: aud https://DOMAIN/, 60 s, a random jti); or, with --legacy, mint a legacy HS256 Management API token offline from
// the tenant's Global Client Secret (with the seed document's warning).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { signClientAssertion, type AssertionAlg } from '../../tokens/client-assertion.ts';
import { nowSeconds } from '../../domain/clock.ts';
import { issuerFor, legacyTokensOn } from '../../domain/tenant.ts';
import { LEGACY_TOKEN_WARNING, mintLegacyToken, parseLifetime } from '../../tokens/legacy.ts';
import { configFrom, STORAGE_KEYS, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { requestJson, trustedCas } from '../http-client.ts';
import { openStore, print } from '../store.ts';
import { globalClientCredentials } from '../../domain/global-client.ts';

async function legacyToken(options: Record<string, unknown>): Promise<void> {
  if (typeof options.scope !== 'string' || options.scope.trim() === '') throw new CliError('--legacy needs --scope "read:clients …"', EXIT.usage);
  let expiresIn: number | undefined;
  try {
    expiresIn = parseLifetime(typeof options.expiresIn === 'string' ? options.expiresIn : '24h');
  } catch (error) {
    throw new CliError(`--expires-in: ${(error as Error).message}`, EXIT.usage);
  }
  const store = await openStore(configFrom(options));
  try {
    const tenants = await store.storage.tenants.list();
    const tenant = typeof options.tenant === 'string' ? tenants.find((t) => t.name === options.tenant) : store.defaultTenant;
    if (!tenant) throw new CliError(`no tenant named "${String(options.tenant)}"`, EXIT.usage);
    const global = await globalClientCredentials(store.storage, store.envelope, tenant.id);
    if (!global) throw new CliError(`tenant "${tenant.name}" has no global client`, EXIT.failure);
    const { token, jti, claims } = mintLegacyToken({
      issuer: issuerFor(tenant.domain),
      globalClientId: global.clientId,
      globalClientSecret: global.secret,
      scopes: options.scope.trim().split(/\s+/),
      now: nowSeconds(store.clock),
      expiresIn,
    });
    process.stderr.write(`WARNING: ${LEGACY_TOKEN_WARNING}\n`);
    if (!legacyTokensOn(tenant.settings)) {
      process.stderr.write(`note: tenant "${tenant.name}" does not accept legacy tokens; the Management API refuses this one until flags.enable_legacy_management_tokens is true (PATCH /api/v2/tenants/settings)\n`);
    }
    process.stderr.write(`revoke it with: POST /api/v2/blacklists/tokens {"aud":"${global.clientId}","jti":"${jti}"}\n`);
    print(options.json === true, { access_token: token, token_type: 'Bearer', jti, claims }, [token]);
  } finally {
    await store.close();
  }
}

const ALGS: readonly string[] = ['RS256', 'RS384', 'PS256'];

/** A Private Key JWT assertion signed with the key in `file` (issue 15). */
function assertionFrom(file: string, clientId: string, audience: string, alg: unknown): string {
  const chosen = typeof alg === 'string' ? alg : 'RS256';
  if (!ALGS.includes(chosen)) throw new CliError(`--alg must be one of ${ALGS.join(', ')}`, EXIT.usage);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`--private-key: cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    return signClientAssertion({ clientId, audience, privateKeyPem: pem, alg: chosen as AssertionAlg, now: Math.floor(Date.now() / 1000), jti: randomUUID() });
  } catch (error) {
    throw new CliError(`--private-key: ${file} is not a PEM private key the alg can sign with (${(error as Error).message})`, EXIT.usage);
  }
}

export function tokenCommand(program: Command): void {
  withConfigOptions(
    program.command('token').description('Get an access token with the client credentials grant (POST /oauth/token), or mint a legacy HS256 one with --legacy.'),
    [...new Set([...STORAGE_KEYS, 'domain', 'port', 'dataDir'] as const)],
  )
    .option('--client-id <id>', 'application client id')
    .option('--client-secret <secret>', 'application client secret (or SCOPEWARD_CLIENT_SECRET)', process.env.SCOPEWARD_CLIENT_SECRET)
    .option('--private-key <file>', 'PEM private key: authenticate with a Private Key JWT assertion instead of the secret')
    .option('--alg <alg>', 'with --private-key: RS256, RS384 or PS256 (default RS256, the credential\'s alg)')
    .option('--audience <aud>', 'API identifier (default: the Management API of --domain)')
    .option('--scope <scopes>', 'space-separated subset of the granted scopes')
    .option('--legacy', 'mint a legacy HS256 Management API token from the Global Client Secret (not recommended)')
    .option('--expires-in <lifetime>', 'with --legacy: 3600, 15m, 12h, 30d, 1y or never (default 24h)')
    .option('--tenant <name>', 'with --legacy: the tenant (default: the default tenant)')
    .option('--json', 'print the whole token response as JSON')
    .action(async (options: Record<string, unknown>) => {
      if (options.legacy === true) return legacyToken(options);
      const keyFile = typeof options.privateKey === 'string' ? options.privateKey : undefined;
      if (typeof options.clientId !== 'string' || (keyFile === undefined && typeof options.clientSecret !== 'string')) {
        throw new CliError('token needs --client-id and --client-secret or --private-key (or --legacy)', EXIT.usage);
      }
      const config = configFrom(options);
      const base = `https://${config.domain}`;
      const audience = typeof options.audience === 'string' ? options.audience : `${base}/api/v2/`;
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, audience });
      if (keyFile !== undefined) {
        form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        form.set('client_assertion', assertionFrom(keyFile, options.clientId, `${base}/`, options.alg));
      } else {
        form.set('client_secret', String(options.clientSecret));
      }
      if (typeof options.scope === 'string') form.set('scope', options.scope);
      const res = await requestJson(`${base}/oauth/token`, {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        ca: trustedCas(config.dataDir),
      });
      const body = res.body as Record<string, unknown> | undefined;
      if (res.status !== 200 || typeof body?.access_token !== 'string') {
        const reason = body && typeof body === 'object' ? `${String(body.error)}: ${String(body.error_description)}` : `HTTP ${res.status}`;
        throw new CliError(`token request refused (${res.status}) ${reason}`, EXIT.rejected);
      }
      print(options.json === true, body, [body.access_token]);
    });
}
