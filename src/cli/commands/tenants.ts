// scopeward tenants create|list — manage tenants directly in the database.
import type { Command } from 'commander';
import { createTenant, TenantConflict } from '../../provisioning/create-tenant.ts';
import { isHostPort } from '../../config/load.ts';
import { issuerFor } from '../../domain/tenant.ts';
import { configFrom, STORAGE_KEYS, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { openStore, print } from '../store.ts';

export function tenantsCommand(program: Command): void {
  const tenants = program.command('tenants').description('Create and list tenants (one process serves many, chosen by Host).');

  withConfigOptions(
    tenants
      .command('create')
      .description('Create a tenant answering HOST (issuer https://HOST/), with its Management API and signing keys.')
      .argument('<name>', 'tenant name (unique)')
      .requiredOption('--domain <host>', 'host[:port] the tenant answers, e.g. tenant-b.localhost:8443'),
    STORAGE_KEYS.filter((k) => k !== 'domain'),
  )
    .option('--json', 'print JSON')
    .action(async (name: string, options: Record<string, unknown>) => {
      const domain = String(options.domain).toLowerCase();
      if (!isHostPort(domain)) throw new CliError(`--domain ${domain}: expected host[:port] without scheme or path`, EXIT.usage);
      if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}$/.test(name)) throw new CliError('tenant name: letters, digits, space, _ . - (up to 63 characters)', EXIT.usage);
      const { domain: _ignored, ...rest } = options;
      const store = await openStore(configFrom(rest));
      try {
        const t = await createTenant(store.storage, store.envelope, store.clock, { name, domain });
        print(options.json === true, { id: t.id, name: t.name, domain: t.domain, issuer: issuerFor(t.domain) }, [
          `created tenant "${t.name}" answering ${t.domain}`,
          `  issuer: ${issuerFor(t.domain)}`,
          `  a running server on SQLite picks it up within its cache resync interval (30 s by default)`,
        ]);
      } catch (error) {
        if (error instanceof TenantConflict) throw new CliError(error.message, EXIT.failure);
        throw error;
      } finally {
        await store.close();
      }
    });

  withConfigOptions(tenants.command('list').description('List tenants.'), STORAGE_KEYS)
    .option('--json', 'print JSON')
    .action(async (options: Record<string, unknown>) => {
      const store = await openStore(configFrom(options));
      try {
        const list = await store.storage.tenants.list();
        const rows = list.map((t) => ({ id: t.id, name: t.name, domain: t.domain, default: t.isDefault, issuer: issuerFor(t.domain) }));
        print(options.json === true, rows, rows.map((t) => `${t.default ? '*' : ' '} ${t.name.padEnd(20)} ${t.domain.padEnd(32)} ${t.issuer}`));
      } finally {
        await store.close();
      }
    });
}
