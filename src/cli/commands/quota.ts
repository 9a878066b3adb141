// scopeward quota set|clear|default — Auth0's token quotas (issue 15) from the command line: a
// client's `token_quota.client_credentials`, or the tenant's `default_token_quota.clients`, the same
// fields PATCH /api/v2/clients/{id} and PATCH /api/v2/tenants/settings take. Written to the
// database as the other storage commands do; on PostgreSQL a running server hears it at once.
import type { Command } from 'commander';
import type { TokenQuota } from '../../schemas/token-quota.ts';
import type { TenantRecord } from '../../storage/ports.ts';
import { configFrom, STORAGE_KEYS, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { openStore, print, type CliStore } from '../store.ts';

type Options = Record<string, unknown> & { perHour?: string; perDay?: string; enforce?: boolean; tenant?: string; json?: boolean; clear?: boolean };

/** Auth0's bounds for per_hour and per_day. */
const MAX = 2147483647;

async function tenantOf(store: CliStore, name: string | undefined): Promise<TenantRecord> {
  if (name === undefined) return store.defaultTenant;
  const tenant = (await store.storage.tenants.list()).find((t) => t.name === name);
  if (!tenant) throw new CliError(`no tenant named "${name}"`, EXIT.usage);
  return tenant;
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX) throw new CliError(`${flag} must be a whole number from 1 to ${MAX}`, EXIT.usage);
  return n;
}

/** The quota the options describe; at least one of --per-hour and --per-day. */
export function quotaFrom(options: Options): TokenQuota {
  const perHour = count(options.perHour, '--per-hour');
  const perDay = count(options.perDay, '--per-day');
  if (perHour === undefined && perDay === undefined) throw new CliError('give --per-hour, --per-day or both', EXIT.usage);
  return { client_credentials: { enforce: options.enforce !== false, ...(perHour !== undefined && { per_hour: perHour }), ...(perDay !== undefined && { per_day: perDay }) } };
}

function describe(quota: TokenQuota | undefined): string {
  if (!quota) return 'none';
  const q = quota.client_credentials;
  const parts = [q.per_hour !== undefined && `${q.per_hour} an hour`, q.per_day !== undefined && `${q.per_day} a day`].filter(Boolean);
  return `${parts.join(', ')} (${q.enforce === false ? 'not enforced: logged only' : 'enforced'})`;
}

const withQuotaOptions = (command: Command): Command =>
  command
    .option('--per-hour <n>', 'client-credentials tokens per UTC hour')
    .option('--per-day <n>', 'client-credentials tokens per UTC day')
    .option('--no-enforce', 'do not refuse past the quota; only log each request over it (api_limit_warning)');

export function quotaCommand(program: Command): void {
  const quota = program.command('quota').description("Token quotas on client-credentials tokens (Auth0's token_quota and default_token_quota).");

  async function onClient(options: Options, clientId: string, change: (store: CliStore, tenant: TenantRecord) => TokenQuota | undefined): Promise<void> {
    const store = await openStore(configFrom(options));
    try {
      const tenant = await tenantOf(store, options.tenant);
      const client = await store.storage.clients.get(tenant.id, clientId);
      if (!client) throw new CliError(`no client ${clientId} in tenant ${tenant.name}`, EXIT.usage);
      const next = change(store, tenant);
      const { token_quota: _old, ...rest } = client.data;
      const data = next ? { ...rest, token_quota: next } : rest;
      await store.storage.clients.update(tenant.id, clientId, { data, updatedAt: new Date(store.clock.now()).toISOString() });
      print(options.json === true, { client_id: clientId, token_quota: next ?? null }, [`${clientId}: token quota ${describe(next)}`]);
    } finally {
      await store.close();
    }
  }

  withQuotaOptions(withConfigOptions(quota.command('set').argument('<client_id>').description("Set a client's quota (replaces the tenant default for it)."), STORAGE_KEYS))
    .option('--tenant <name>', 'tenant (default: the default tenant)')
    .option('--json', 'print JSON')
    .action(async (clientId: string, options: Options) => {
      const value = quotaFrom(options);
      await onClient(options, clientId, () => value);
    });

  withConfigOptions(quota.command('clear').argument('<client_id>').description("Remove a client's own quota (the tenant default applies again)."), STORAGE_KEYS)
    .option('--tenant <name>', 'tenant (default: the default tenant)')
    .option('--json', 'print JSON')
    .action(async (clientId: string, options: Options) => {
      await onClient(options, clientId, () => undefined);
    });

  withQuotaOptions(withConfigOptions(quota.command('default').description("Set the tenant's default quota for clients that have none (--clear removes it)."), STORAGE_KEYS))
    .option('--clear', 'remove the default')
    .option('--tenant <name>', 'tenant (default: the default tenant)')
    .option('--json', 'print JSON')
    .action(async (options: Options) => {
      const value = options.clear === true ? undefined : quotaFrom(options);
      const store = await openStore(configFrom(options));
      try {
        const tenant = await tenantOf(store, options.tenant);
        const { default_token_quota: old, ...rest } = tenant.settings;
        // Auth0's default_token_quota also holds `organizations`: kept as it was.
        const organizations = (old as { organizations?: unknown } | null | undefined)?.organizations;
        const merged = value || organizations ? { ...(value && { clients: value }), ...(organizations !== undefined && { organizations }) } : undefined;
        await store.storage.tenants.update(tenant.id, { settings: merged ? { ...rest, default_token_quota: merged } : rest });
        print(options.json === true, { tenant: tenant.name, default_token_quota: merged ?? null }, [`${tenant.name}: default token quota ${describe(value)}`]);
      } finally {
        await store.close();
      }
    });
}
