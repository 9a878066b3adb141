// `scopeward import FILE`: the whole file is read, its keywords replaced, compared with the tenant
// and every call it needs checked; only then, unless it is a dry run, are the calls made.
import type { ManagementApi } from './api.ts';
import { applyPlan } from './apply.ts';
import type { KeywordMappings } from './keywords.ts';
import { planImport, type Plan } from './plan.ts';
import { readRemote } from './remote.ts';
import { parseTenantFile } from './tenant-file.ts';

export interface ImportOptions {
  mappings: KeywordMappings;
  dryRun: boolean;
  allowDelete: boolean;
}

export interface ImportResult {
  plan: Plan;
  /** Resource types in the file that Scopeward does not serve (left alone). */
  ignored: string[];
  /** Changes made (0 on a dry run). */
  applied: number;
}

export async function importYaml(api: ManagementApi, text: string, origin: string, options: ImportOptions): Promise<ImportResult> {
  const { file, ignored } = parseTenantFile(text, origin, options.mappings);
  // Secrets are read only to compare the file's own with them.
  const secrets = [...(file.clients ?? []), ...(file.resourceServers ?? [])].some((item) => item.client_secret !== undefined || item.signing_secret !== undefined);
  const plan = planImport(file, await readRemote(api, { secrets }), api, origin, { allowDelete: options.allowDelete });
  const applied = options.dryRun ? 0 : await applyPlan(api, plan);
  return { plan, ignored, applied };
}
