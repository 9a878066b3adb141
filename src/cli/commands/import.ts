// scopeward import FILE — applies a Deploy CLI tenant.yaml through the Management API of a running
// server: the same calls, checks and tenant-log events as any API client's. Keywords are replaced
// first (##KEY## and @@KEY@@, from --keyword, --keywords or AUTH0_KEYWORD_REPLACE_MAPPINGS); the
// whole file is checked before the first write; --dry-run prints the plan and changes nothing;
// deletions happen only with --allow-delete.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiError } from '../../config-as-code/api.ts';
import { describePlan, ImportStopped, planJson } from '../../config-as-code/apply.ts';
import { importYaml } from '../../config-as-code/import.ts';
import { KeywordError, mappingsFromJson, parseKeywordFlag, type KeywordMappings } from '../../config-as-code/keywords.ts';
import { FileError } from '../../config-as-code/tenant-file.ts';
import { CliError, EXIT } from '../errors.ts';
import { connect, withConnectionOptions } from '../management-connection.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.usage);
  }
}

/** AUTH0_KEYWORD_REPLACE_MAPPINGS, then the --keywords file, then each --keyword (later ones win). */
function keywordMappings(options: Record<string, unknown>): KeywordMappings {
  try {
    const fromEnv = process.env.AUTH0_KEYWORD_REPLACE_MAPPINGS ? mappingsFromJson(process.env.AUTH0_KEYWORD_REPLACE_MAPPINGS, 'AUTH0_KEYWORD_REPLACE_MAPPINGS') : {};
    const fromFile = typeof options.keywords === 'string' ? mappingsFromJson(readText(options.keywords, 'keywords file'), options.keywords) : {};
    const fromFlags = Object.fromEntries(((options.keyword as string[] | undefined) ?? []).map(parseKeywordFlag));
    return { ...fromEnv, ...fromFile, ...fromFlags };
  } catch (error) {
    if (error instanceof KeywordError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

export function importCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('import')
      .argument('<file>', "a Deploy CLI tenant.yaml (as written by `scopeward export` or `a0deploy export --format yaml`)")
      .description('Apply a tenant.yaml through the Management API of a running server; every change is checked before the first is made.'),
  )
    .option('--keyword <KEY=VALUE>', 'replace ##KEY## (text) and @@KEY@@ (JSON) in the file; repeatable', collect)
    .option('--keywords <file.json>', 'keyword values as JSON: {"KEY": "value"}, or a Deploy CLI config with AUTH0_KEYWORD_REPLACE_MAPPINGS')
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
