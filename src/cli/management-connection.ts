// How `scopeward export` and `scopeward import` reach a tenant: over HTTPS, through its Management
// API, with a token, as `a0deploy` does. Either an access token (--token) or an application's
// credentials (--client-id/--client-secret, exchanged by the client credentials grant).
import type { Command } from 'commander';
import { managementApi, clientOfToken, type ManagementApi, type Send } from '../config-as-code/api.ts';
import { managementAudienceFor } from '../domain/tenant.ts';
import { configFrom, withConfigOptions } from './config-options.ts';
import { CliError, EXIT } from './errors.ts';
import { requestJson, trustedCas } from './http-client.ts';

export function withConnectionOptions(command: Command): Command {
  return withConfigOptions(command, ['domain', 'port', 'dataDir', 'production'])
    .option('--client-id <id>', 'an application with a Management API grant (or SCOPEWARD_CLIENT_ID)', process.env.SCOPEWARD_CLIENT_ID)
    .option('--client-secret <secret>', 'its secret (or SCOPEWARD_CLIENT_SECRET)', process.env.SCOPEWARD_CLIENT_SECRET)
    .option('--token <jwt>', 'a Management API access token instead of client credentials (or SCOPEWARD_TOKEN)', process.env.SCOPEWARD_TOKEN)
    .option('--base-url <url>', 'where the server listens, when not at https://DOMAIN (e.g. http://localhost:4000 for a server started with --http)');
}

async function clientCredentialsToken(base: string, domain: string, clientId: string, clientSecret: string, ca: string[]): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: managementAudienceFor(domain) });
  const res = await requestJson(`${base}/oauth/token`, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', host: domain }, ca });
  const body = res.body as Record<string, unknown> | undefined;
  if (res.status !== 200 || typeof body?.access_token !== 'string') {
    const reason = body && typeof body === 'object' ? `${String(body.error)}: ${String(body.error_description)}` : `HTTP ${res.status}`;
    throw new CliError(`token request refused (${res.status}) ${reason}`, EXIT.rejected);
  }
  return body.access_token;
}

export async function connect(options: Record<string, unknown>): Promise<ManagementApi> {
  const { clientId, clientSecret, token: given, baseUrl, ...rest } = options;
  const config = configFrom(rest);
  const domain = config.domain;
  const base = (typeof baseUrl === 'string' ? baseUrl : `https://${domain}`).replace(/\/+$/, '');
  const ca = trustedCas(config.dataDir);
  let token: string;
  if (typeof given === 'string' && given !== '') token = given;
  else if (typeof clientId === 'string' && typeof clientSecret === 'string') token = await clientCredentialsToken(base, domain, clientId, clientSecret, ca);
  else throw new CliError('needs --client-id and --client-secret (an application granted the Management API scopes it uses), or --token', EXIT.usage);

  const send: Send = async ({ method, path, body }) =>
    requestJson(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, host: domain, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ca,
      timeoutMs: 30_000,
    });
  return managementApi(send, { domain, callerClientId: clientOfToken(token) });
}
