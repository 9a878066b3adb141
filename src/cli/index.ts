// The `scopeward` command line.
import { Command, CommanderError } from 'commander';
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { DomainChangeRefused } from '../config/domain-refusal.ts';
import { PortInUse } from '../config/port-in-use.ts';
import { ConfigError } from '../config/load.ts';
import { MasterKeyError } from '../config/master-key.ts';
import { createStorage } from '../storage/kysely/index.ts';
import { adminsCommand } from './commands/admins.ts';
import { backupCommand } from './commands/backup.ts';
import { decodeCommand } from './commands/decode.ts';
import { devCommand } from './commands/dev.ts';
import { exportCommand } from './commands/export.ts';
import { importCommand } from './commands/import.ts';
import { initCommand } from './commands/init.ts';
import { keysCommand } from './commands/keys.ts';
import { quotaCommand } from './commands/quota.ts';
import { scopesForCommand } from './commands/scopes-for.ts';
import { tenantsCommand } from './commands/tenants.ts';
import { tokenCommand } from './commands/token.ts';
import { configFrom, STORAGE_KEYS, withConfigOptions } from './config-options.ts';
import { CliError, EXIT } from './errors.ts';

/** package.json's version: two folders up from src/cli/ and from dist/cli/ alike. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('scopeward')
    .description('Self-hosted, Auth0-compatible identity server for machine-to-machine and Management API tokens.')
    .version(version(), '-V, --version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  withConfigOptions(program.command('serve').description('Start the server (HTTPS on https://localhost:8443 by default).')).action(async (options: Record<string, unknown>) => {
    // Loaded on demand: the other commands should not pay for the whole server at start-up.
    const { serve } = await import('../main.ts');
    await serve(configFrom(options));
  });

  withConfigOptions(program.command('migrate').description('Create or upgrade the database schema, then exit.'), STORAGE_KEYS).action(async (options: Record<string, unknown>) => {
    const config = configFrom(options);
    const storage = await createStorage(config.databaseUrl);
    await storage.close();
    process.stdout.write(`database is up to date (${config.databaseUrl.startsWith('sqlite') ? config.databaseUrl : 'PostgreSQL'})\n`);
  });

  tenantsCommand(program);
  initCommand(program);
  adminsCommand(program);
  tokenCommand(program);
  decodeCommand(program);
  scopesForCommand(program);
  keysCommand(program);
  quotaCommand(program);
  backupCommand(program);
  exportCommand(program);
  importCommand(program);
  devCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`scopeward: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof PortInUse) {
      // A cluster worker has told the primary, which says it once (main.ts).
      if (!cluster.isWorker) process.stderr.write(`scopeward: ${error.message}\n`);
      process.exitCode = EXIT.failure;
      return;
    }
    if (error instanceof ConfigError || error instanceof MasterKeyError || error instanceof DomainChangeRefused) {
      process.stderr.write(`scopeward: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`scopeward: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failure;
  }
}
