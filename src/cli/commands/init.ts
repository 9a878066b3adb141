// scopeward init — the first-run step: ensure the default tenant exists and create a machine-to-
// machine application authorized for the Management API with every scope; print its credentials.
import type { Command } from 'commander';
import { isoNow } from '../../domain/clock.ts';
import { newClientId, newClientSecret, newGrantId } from '../../domain/ids.ts';
import { MANAGEMENT_SCOPES } from '../../domain/scopes.ts';
import { sealClientSecret } from '../../domain/secret-locations.ts';
import { issuerFor, managementAudienceFor } from '../../domain/tenant.ts';
import { newClientData } from '../../management/client-view.ts';
import { configFrom, STORAGE_KEYS, withConfigOptions } from '../config-options.ts';
import { openStore, print } from '../store.ts';

export function initCommand(program: Command): void {
  withConfigOptions(
    program
      .command('init')
      .description('Create the default tenant if needed and an M2M application with every Management API scope; print its client id and secret.'),
    STORAGE_KEYS,
  )
    .option('--name <name>', 'application name', 'Scopeward Management (init)')
    .option('--json', 'print JSON (for scripts)')
    .action(async (options: Record<string, unknown>) => {
      const store = await openStore(configFrom(options));
      try {
        const tenant = store.defaultTenant;
        const clientId = newClientId();
        const clientSecret = newClientSecret();
        const now = isoNow(store.clock);
        const audience = managementAudienceFor(tenant.domain);
        await store.storage.transaction(async (tx) => {
          await tx.clients.create({
            tenantId: tenant.id,
            clientId,
            data: newClientData({ name: String(options.name), app_type: 'non_interactive' }, { clientId, tenantName: tenant.name }),
            ...sealClientSecret(store.envelope, tenant.id, clientId, clientSecret),
            createdAt: now,
            updatedAt: now,
          });
          await tx.grants.create({ tenantId: tenant.id, id: newGrantId(), clientId, audience, subjectType: 'client', scope: [...MANAGEMENT_SCOPES], extra: {}, createdAt: now });
        });
        const result = { domain: tenant.domain, issuer: issuerFor(tenant.domain), audience, client_id: clientId, client_secret: clientSecret, token_endpoint: `${issuerFor(tenant.domain)}oauth/token` };
        print(options.json === true, result, [
          `tenant:        ${tenant.name} (${tenant.domain})`,
          `client_id:     ${clientId}`,
          `client_secret: ${clientSecret}`,
          `audience:      ${audience}`,
          '',
          'This application holds every Management API scope: keep the secret safe. Get a token with:',
          `  npx scopeward token --client-id ${clientId} --client-secret <secret> --audience ${audience}`,
        ]);
      } finally {
        await store.close();
      }
    });
}
