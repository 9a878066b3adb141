// scopeward init — the first-run step: ensure the default tenant exists and create a machine-to-
// machine application authorized for the Management API with every scope; print its credentials.
// While the tenant has no administrator, it also makes the first one (its password printed once).
// Run again, it reuses that application (its secret printed only with --show-secret); --new makes
// another one.
import type { Command } from 'commander';
import { makeAdmin } from '../../domain/admins.ts';
import { DEFAULT_CONNECTION_NAME } from '../../domain/connections.ts';
import { isValidEmail } from '../../domain/users.ts';
import { PasswordHasher } from '../../domain/passwords.ts';
import { issuerFor } from '../../domain/tenant.ts';
import { createManagementClient, findManagementClient } from '../../dev/management-client.ts';
import { configFrom, STORAGE_KEYS, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { openStore, print } from '../store.ts';
import { adminSummary } from './admins.ts';

/** admin@HOST, or admin@HOST.local for a host without a dot (an email needs a dotted domain). */
function defaultAdminEmail(domain: string): string {
  const host = domain.replace(/:\d+$/, '');
  return `admin@${host.includes('.') ? host : `${host}.local`}`;
}

export function initCommand(program: Command): void {
  withConfigOptions(
    program
      .command('init')
      .description('Create the default tenant if needed and an M2M application with every Management API scope; print its client id and secret.'),
    STORAGE_KEYS,
  )
    .option('--name <name>', 'application name', 'Scopeward Management (init)')
    .option('--admin-email <email>', 'email of the first dashboard administrator, made when the tenant has none (default admin@<domain host>)')
    .option('--new', 'make a new application even when one with every Management API scope exists')
    .option('--show-secret', 'print the secret of the existing application that init reuses')
    .option('--json', 'print JSON (for scripts)')
    .action(async (options: Record<string, unknown>) => {
      const { adminEmail, new: makeNew, showSecret, ...rest } = options;
      const store = await openStore(configFrom(rest));
      try {
        const tenant = store.defaultTenant;
        // The first administrator is a new user, never an existing account (anyone who can sign up
        // could have registered it): refuse before anything is written.
        const needsAdmin = (await store.storage.tenantAdmins.list(tenant.id)).length === 0;
        const adminAddress = (typeof adminEmail === 'string' ? adminEmail : defaultAdminEmail(tenant.domain)).toLowerCase();
        if (needsAdmin && !isValidEmail(adminAddress)) throw new CliError(`--admin-email: ${adminAddress} is not a valid email address`, EXIT.usage);
        if (needsAdmin && (await store.storage.users.getByEmail(tenant.id, DEFAULT_CONNECTION_NAME, adminAddress))) {
          throw new CliError(
            `the first administrator could not be made: ${adminAddress} already exists, and anyone who can sign up could have registered it. ` +
              'Choose another address with --admin-email, or promote that user knowingly with `scopeward admins create --promote-existing` (its password is replaced)',
            EXIT.usage,
          );
        }
        const existing = makeNew === true ? undefined : await findManagementClient(store.storage, store.envelope, tenant);
        const { clientId, clientSecret, audience } = existing ?? (await createManagementClient(store.storage, store.envelope, store.clock, tenant, { name: String(options.name) }));
        const secretShown = !existing || showSecret === true;
        const result: Record<string, unknown> = {
          domain: tenant.domain,
          issuer: issuerFor(tenant.domain),
          audience,
          client_id: clientId,
          ...(secretShown && { client_secret: clientSecret }),
          token_endpoint: `${issuerFor(tenant.domain)}oauth/token`,
          created: !existing,
        };
        let adminLines: string[] = [];
        if (needsAdmin) {
          const made = await makeAdmin(store.storage, new PasswordHasher(), store.clock, tenant.id, { email: adminAddress }).catch((error: unknown) => {
            throw new CliError(`the first administrator could not be made: ${error instanceof Error ? error.message : String(error)}`, EXIT.usage);
          });
          const summary = adminSummary(tenant, made);
          const { tenant: _t, domain: _d, ...admin } = summary.json;
          result.admin = admin;
          adminLines = ['', 'Dashboard administrator:', ...summary.lines];
        }
        const appLines = existing
          ? [
              `client_id:     ${clientId}   (the existing application "${existing.name}": init reuses it)`,
              `client_secret: ${secretShown ? clientSecret : '(not shown: add --show-secret to print it, or --new to make another application)'}`,
            ]
          : [`client_id:     ${clientId}`, `client_secret: ${clientSecret}`];
        print(options.json === true, result, [
          `tenant:        ${tenant.name} (${tenant.domain})`,
          ...appLines,
          `audience:      ${audience}`,
          '',
          'This application holds every Management API scope: keep the secret safe. Get a token with:',
          `  npx scopeward token --client-id ${clientId} --client-secret <secret> --audience ${audience}`,
          ...adminLines,
        ]);
      } finally {
        await store.close();
      }
    });
}
