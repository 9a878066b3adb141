// scopeward token — get an access token by the client credentials grant, over HTTPS, exactly as
// an application would.
import type { Command } from 'commander';
import { configFrom, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { requestJson, trustedCas } from '../http-client.ts';
import { print } from '../store.ts';

export function tokenCommand(program: Command): void {
  withConfigOptions(program.command('token').description('Get an access token with the client credentials grant (POST /oauth/token).'), ['domain', 'port', 'dataDir'])
    .requiredOption('--client-id <id>', 'application client id')
    .requiredOption('--client-secret <secret>', 'application client secret (or SCOPEWARD_CLIENT_SECRET)', process.env.SCOPEWARD_CLIENT_SECRET)
    .option('--audience <aud>', 'API identifier (default: the Management API of --domain)')
    .option('--scope <scopes>', 'space-separated subset of the granted scopes')
    .option('--json', 'print the whole token response as JSON')
    .action(async (options: Record<string, unknown>) => {
      const config = configFrom(options);
      const base = `https://${config.domain}`;
      const audience = typeof options.audience === 'string' ? options.audience : `${base}/api/v2/`;
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: String(options.clientId), client_secret: String(options.clientSecret), audience });
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
