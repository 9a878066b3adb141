// scopeward admins create|list|remove — the dashboard's administrators. Only this command makes
// them (decision 0006): no API can, so no token can grant itself administration.
import type { Command } from 'commander';
import { AdminError, listAdmins, makeAdmin, removeAdmin, unblockAdmin, type MadeAdmin } from '../../domain/admins.ts';
import { PasswordHasher } from '../../domain/passwords.ts';
import { issuerFor } from '../../domain/tenant.ts';
import type { TenantRecord } from '../../storage/ports.ts';
import { configFrom, STORAGE_KEYS, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { openStore, print, type CliStore } from '../store.ts';

export const dashboardUrl = (domain: string): string => `${issuerFor(domain)}dashboard/`;

/** Commander's parsed options of these commands (strings; flags are booleans). */
type Options = Record<string, unknown> & { email?: string; password?: string; tenant?: string; json?: boolean; promoteExisting?: boolean };

async function tenantOf(store: CliStore, domain: string | undefined): Promise<TenantRecord> {
  if (domain === undefined) return store.defaultTenant;
  const tenant = await store.storage.tenants.getByDomain(domain.toLowerCase());
  if (!tenant) throw new CliError(`no tenant answers ${domain} (see scopeward tenants list)`, EXIT.usage);
  return tenant;
}

/** What `admins create` and `init` print about a new (or confirmed) administrator. */
export function adminSummary(tenant: TenantRecord, made: MadeAdmin): { json: Record<string, unknown>; lines: string[] } {
  const email = made.user.email ?? '';
  const json = {
    tenant: tenant.name,
    domain: tenant.domain,
    email,
    user_id: made.user.userId,
    created_user: made.createdUser,
    already_admin: made.alreadyAdmin,
    ...(made.generatedPassword !== undefined && { password: made.generatedPassword }),
    dashboard_url: dashboardUrl(tenant.domain),
  };
  const lines = [
    made.alreadyAdmin ? `${email} is already an administrator of ${tenant.name} (${tenant.domain})` : `${email} is now an administrator of ${tenant.name} (${tenant.domain})`,
    `  user_id:   ${made.user.userId}${made.createdUser ? ' (new user)' : made.alreadyAdmin ? '' : ' (existing user: password replaced, sessions ended)'}`,
    ...(made.generatedPassword !== undefined ? [`  password:  ${made.generatedPassword}`, '  (generated; shown only this once: keep it now)'] : []),
    `  dashboard: ${dashboardUrl(tenant.domain)}`,
  ];
  return { json, lines };
}

export function adminsCommand(program: Command): void {
  const admins = program.command('admins').description("Manage the dashboard's administrators (users of the default database connection).");

  withConfigOptions(
    admins
      .command('create')
      .description('Make EMAIL an administrator: create the user (with --password, or a generated password printed once); an existing user only with --promote-existing.')
      .requiredOption('--email <email>', "the administrator's email")
      .option('--password <password>', "the administrator's password (at least 8 characters, 3 of lower, upper, digits, symbols); generated when left out")
      .option('--promote-existing', 'take over an existing user of that email (anyone who can sign up could have registered it): its password is replaced and its sessions end'),
    STORAGE_KEYS,
  )
    .option('--tenant <domain>', 'the tenant, by domain (default: the default tenant)')
    .option('--json', 'print JSON')
    .action(async (options: Options) => {
      const { email, password, tenant: domain, json, promoteExisting, ...rest } = options;
      const store = await openStore(configFrom(rest));
      try {
        const tenant = await tenantOf(store, domain);
        const made = await makeAdmin(store.storage, new PasswordHasher(), store.clock, tenant.id, { email: String(email), password, promoteExisting: promoteExisting === true });
        const { json: body, lines } = adminSummary(tenant, made);
        print(json === true, body, lines);
      } catch (error) {
        if (error instanceof AdminError) throw new CliError(error.message, EXIT.usage);
        throw error;
      } finally {
        await store.close();
      }
    });

  withConfigOptions(admins.command('list').description("List a tenant's administrators."), STORAGE_KEYS)
    .option('--tenant <domain>', 'the tenant, by domain (default: the default tenant)')
    .option('--json', 'print JSON')
    .action(async (options: Options) => {
      const { tenant: domain, json, ...rest } = options;
      const store = await openStore(configFrom(rest));
      try {
        const tenant = await tenantOf(store, domain);
        const rows = (await listAdmins(store.storage, tenant.id)).map((a) => ({ email: a.email, user_id: a.userId, since: a.since }));
        print(json === true, rows, rows.length === 0 ? [`${tenant.name} has no administrators (add one with scopeward admins create --email ...)`] : rows.map((a) => `${String(a.email).padEnd(40)} ${a.user_id.padEnd(32)} since ${a.since}`));
      } finally {
        await store.close();
      }
    });

  /** `admins remove` and `admins unblock`: one administrator by --email, in one tenant. */
  const forOneAdmin = (
    name: string,
    description: string,
    act: (storage: CliStore['storage'], tenantId: string, email: string) => Promise<boolean>,
    done: { key: string; line: (email: string, tenant: string) => string },
  ) =>
    withConfigOptions(admins.command(name).description(description).requiredOption('--email <email>', "the administrator's email"), STORAGE_KEYS)
      .option('--tenant <domain>', 'the tenant, by domain (default: the default tenant)')
      .option('--json', 'print JSON')
      .action(async (options: Options) => {
        const { email, tenant: domain, json, ...rest } = options;
        const address = String(email).toLowerCase();
        const store = await openStore(configFrom(rest));
        try {
          const tenant = await tenantOf(store, domain);
          if (!(await act(store.storage, tenant.id, address))) throw new CliError(`${String(email)} is not an administrator of ${tenant.name}`, EXIT.failure);
          print(json === true, { email: address, tenant: tenant.name, [done.key]: true }, [done.line(address, tenant.name)]);
        } finally {
          await store.close();
        }
      });

  forOneAdmin('remove', 'End the administration of EMAIL (the user itself stays).', removeAdmin, {
    key: 'removed',
    line: (email, tenant) => `${email} is no longer an administrator of ${tenant}`,
  });
  forOneAdmin(
    'unblock',
    "Lift the login blocks of administrator EMAIL (after 10 failed attempts from one address; the Management API cannot lift an administrator's).",
    unblockAdmin,
    { key: 'unblocked', line: (email) => `${email} may log in again from every address` },
  );
}
