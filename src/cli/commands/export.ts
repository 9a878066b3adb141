// scopeward export — the tenant as a Deploy CLI tenant.yaml (clients, resourceServers,
// clientGrants, databases, connections, tenant), read through the Management API of a running
// server. Secrets are left out unless --include-secrets.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiError } from '../../config-as-code/api.ts';
import { exportYaml } from '../../config-as-code/export.ts';
import { CliError, EXIT } from '../errors.ts';
import { connect, withConnectionOptions } from '../management-connection.ts';

export function exportCommand(program: Command): void {
  withConnectionOptions(
    program.command('export').description("Write the tenant as the Auth0 Deploy CLI's tenant.yaml, read through the Management API of a running server."),
  )
    .option('-o, --output <file>', 'where to write it (default: standard output)')
    .option('--include-secrets', 'also write client_secret and signing_secret values (needs read:client_keys); keep such a file secret')
    .action(async (options: Record<string, unknown>) => {
      const { output, includeSecrets, ...connection } = options;
      const api = await connect(connection);
      let yaml: string;
      try {
        yaml = await exportYaml(api, { includeSecrets: includeSecrets === true });
      } catch (error) {
        if (error instanceof ApiError) throw new CliError(`export failed: ${error.message}`, EXIT.rejected);
        throw error;
      }
      if (typeof output !== 'string' || output === '-') {
        process.stdout.write(yaml);
        return;
      }
      // A file with secrets is readable by its owner only.
      writeFileSync(output, yaml, { mode: includeSecrets === true ? 0o600 : 0o644 });
      process.stderr.write(`wrote ${output}\n`);
    });
}
