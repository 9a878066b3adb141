// The Deploy CLI's keyword replacement as command-line options, shared by `scopeward import` and
// `scopeward dev --seed`: values from AUTH0_KEYWORD_REPLACE_MAPPINGS, then a --keywords file, then
// each --keyword (later ones win).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KeywordError, mappingsFromJson, parseKeywordFlag, type KeywordMappings } from '../config-as-code/keywords.ts';
import { CliError, EXIT } from './errors.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function withKeywordOptions(command: Command): Command {
  return command
    .option('--keyword <KEY=VALUE>', 'replace ##KEY## (text) and @@KEY@@ (JSON) in the file; KEY alone takes the environment variable KEY; repeatable', collect)
    .option('--keywords <file.json>', 'keyword values as JSON: {"KEY": "value"}, or a Deploy CLI config with AUTH0_KEYWORD_REPLACE_MAPPINGS');
}

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.usage);
  }
}

export function keywordMappings(options: Record<string, unknown>): KeywordMappings {
  try {
    const fromEnv = process.env.AUTH0_KEYWORD_REPLACE_MAPPINGS ? mappingsFromJson(process.env.AUTH0_KEYWORD_REPLACE_MAPPINGS, 'AUTH0_KEYWORD_REPLACE_MAPPINGS') : {};
    const fromFile = typeof options.keywords === 'string' ? mappingsFromJson(readText(options.keywords, 'keywords file'), options.keywords) : {};
    const fromFlags = Object.fromEntries(((options.keyword as string[] | undefined) ?? []).map((flag) => parseKeywordFlag(flag)));
    return { ...fromEnv, ...fromFile, ...fromFlags };
  } catch (error) {
    if (error instanceof KeywordError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}
