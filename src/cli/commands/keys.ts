// scopeward keys list|rotate — the tenant's signing keys, and rotation from the command line (the
// same rotation as POST /api/v2/keys/signing/rotate).
import type { Command } from 'commander';
import { renderKey } from '../../management/keys.ts';
import type { TenantRecord } from '../../storage/ports.ts';
import { rotateSigningKeys } from '../../tokens/rotation.ts';
import { configFrom, STORAGE_KEYS, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { openStore, print, type CliStore } from '../store.ts';

async function tenantOf(store: CliStore, name: unknown): Promise<TenantRecord> {
  if (typeof name !== 'string') return store.defaultTenant;
  const tenant = (await store.storage.tenants.list()).find((t) => t.name === name);
  if (!tenant) throw new CliError(`no tenant named "${name}"`, EXIT.usage);
  return tenant;
}

function state(k: Record<string, unknown>): string {
  return k.revoked ? 'revoked' : k.current ? 'current' : k.next ? 'next' : 'previous';
}

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description("A tenant's signing keys.");

  withConfigOptions(keys.command('list').description('List signing keys with their state.'), STORAGE_KEYS)
    .option('--tenant <name>', 'tenant (default: the default tenant)')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, unknown>) => {
      const store = await openStore(configFrom(options));
      try {
        const tenant = await tenantOf(store, options.tenant);
        const rows = (await store.storage.signingKeys.list(tenant.id)).map(renderKey);
        print(options.json === true, rows, rows.map((k) => `${state(k).padEnd(9)} ${String(k.kid)}  ${String(k.thumbprint)}`));
      } finally {
        await store.close();
      }
    });

  withConfigOptions(keys.command('rotate').description('Rotate: next becomes current, current becomes previous, a new next key is made.'), STORAGE_KEYS)
    .option('--tenant <name>', 'tenant (default: the default tenant)')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, unknown>) => {
      const store = await openStore(configFrom(options));
      try {
        const tenant = await tenantOf(store, options.tenant);
        const current = renderKey(await rotateSigningKeys(store.storage, store.envelope, tenant, store.clock));
        print(options.json === true, current, [
          `rotated: ${String(current.kid)} now signs for ${tenant.domain}`,
          'tokens signed by the previous key stay valid until you revoke it (PUT /api/v2/keys/signing/{kid}/revoke)',
          'a running server on SQLite picks the new key up within its cache resync interval (30 s by default)',
        ]);
      } finally {
        await store.close();
      }
    });
}
