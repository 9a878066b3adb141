// scopeward import FILE — applies a Deploy CLI tenant.yaml through the Management API of a running
// server: the same calls, checks and tenant-log events as any API client's. Keywords are replaced
// first (##KEY## and @@KEY@@, from --keyword, --keywords or AUTH0_KEYWORD_REPLACE_MAPPINGS); the
// whole file is checked before the first write; --dry-run prints the plan and changes nothing;
// deletions happen only with --allow-delete.
import type { Command } from 'commander';
import { ApiError } from '../../config-as-code/api.ts';
import { describePlan, ImportStopped, planJson } from '../../config-as-code/apply.ts';
import { importYaml } from '../../config-as-code/import.ts';
import { FileError } from '../../config-as-code/tenant-file.ts';
import { CliError, EXIT } from '../errors.ts';
import { keywordMappings, readText, withKeywordOptions } from '../keyword-options.ts';
import { connect, withConnectionOptions } from '../management-connection.ts';

export function importCommand(program: Command): void {
  const command = program
    .command('import')
    .argument('<file>', 'a Deploy CLI tenant.yaml (as written by `scopeward export` or `a0deploy export --format yaml`)')
    .description('Apply a tenant.yaml through the Management API of a running server; every change is checked before the first is made.');
  withKeywordOptions(withConnectionOptions(command))
    .option('--dry-run', 'print what would be created, updated and deleted; change nothing')
    .option('--allow-delete', 'delete what the tenant has and the file does not (only for the resource types the file lists)')
    .option('--json', 'print the plan as JSON')
    .action(async (file: string, options: Record<string, unknown>) => {
      const { keyword: _k, keywords: _ks, dryRun, allowDelete, json, ...connection } = options;
      const mappings = keywordMappings(options);
      const text = readText(file, 'file');
      const api = await connect(connection);
      try {
        const result = await importYaml(api, text, file, { mappings, dryRun: dryRun === true, allowDelete: allowDelete === true });
        for (const type of result.ignored) process.stderr.write(`note: ${type} ignored (Scopeward does not serve this resource type)\n`);
        if (json === true) {
          process.stdout.write(`${JSON.stringify({ dry_run: dryRun === true, ...planJson(result.plan), applied: result.applied }, null, 2)}\n`);
          return;
        }
        const header = dryRun === true ? `Dry run against ${api.domain}: nothing was changed. The import would make these changes:` : `Imported ${file} into ${api.domain} (${result.applied} change(s) made):`;
        process.stdout.write(`${[header, ...describePlan(result.plan)].join('\n')}\n`);
      } catch (error) {
        if (error instanceof FileError) throw new CliError(`${error.message}\nNothing was changed.`, EXIT.usage);
        if (error instanceof ImportStopped) throw new CliError(error.message, EXIT.rejected);
        if (error instanceof ApiError) throw new CliError(`cannot read the tenant: ${error.message}. Nothing was changed.`, EXIT.rejected);
        throw error;
      }
    });
}
