// Adds every configuration flag (config/schema.ts) to a command, and turns parsed options back
// into a Config through the same loader the server uses.
import type { Command } from 'commander';
import { loadConfig, type ConfigFlags } from '../config/load.ts';
import { CONFIG_KEYS, type Config } from '../config/schema.ts';

export function withConfigOptions(command: Command, keys?: readonly (keyof Config)[]): Command {
  for (const k of CONFIG_KEYS) {
    if (!k.flag || (keys && !keys.includes(k.key))) continue;
    const flag = k.kind === 'boolean' ? k.flag : `${k.flag} <value>`;
    command.option(flag, `${k.description} [env: ${k.env.join(', ') || '-'}]`);
  }
  return command;
}

/** Commander stores `--data-dir` as `dataDir`: exactly the Config key names. */
export function configFrom(options: Record<string, unknown>): Config {
  const flags: ConfigFlags = {};
  for (const k of CONFIG_KEYS) {
    const v = options[k.key];
    if (v !== undefined) flags[k.key] = v as ConfigFlags[keyof Config];
  }
  return loadConfig(flags);
}

/** Keys a command that only touches the database needs. */
export const STORAGE_KEYS: readonly (keyof Config)[] = ['dataDir', 'databaseUrl', 'masterKeyFile', 'domain', 'port', 'production', 'logLevel'];
