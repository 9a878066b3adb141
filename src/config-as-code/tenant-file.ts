// The Deploy CLI's YAML format (`a0deploy export --format yaml`, one tenant.yaml): each resource
// type is a top-level key holding a list (`tenant` holds one object). Scopeward reads and writes
// the types it serves; database connections sit under `databases` and all others under
// `connections`, as the Deploy CLI splits them. Items are written with their identifying fields
// first and the rest in alphabetical order, lists sorted by name, as the Deploy CLI writes them,
// so two exports of one tenant are the same text.
import { dump, load, YAMLException } from 'js-yaml';
import { leftoverKeywords, replaceKeywords, type KeywordMappings } from './keywords.ts';

export type Item = Record<string, unknown>;

export interface TenantFile {
  tenant?: Item;
  clients?: Item[];
  databases?: Item[];
  connections?: Item[];
  resourceServers?: Item[];
  clientGrants?: Item[];
}

/** The keys Scopeward acts on, in the order an export writes them. */
export const FILE_KEYS = ['tenant', 'clients', 'databases', 'connections', 'resourceServers', 'clientGrants'] as const;
type ListKey = Exclude<(typeof FILE_KEYS)[number], 'tenant'>;

export class FileError extends Error {
  override name = 'FileError';
  readonly problems: string[];
  constructor(origin: string, problems: string[]) {
    super(`${origin} cannot be imported:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

export interface ParsedFile {
  file: TenantFile;
  /** Resource types the file holds that Scopeward does not serve (with items, so not silently empty). */
  ignored: string[];
}

const isObject = (v: unknown): v is Item => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads a tenant.yaml: keywords replaced, YAML parsed, its outline checked (every problem at once). */
export function parseTenantFile(text: string, origin: string, mappings: KeywordMappings): ParsedFile {
  const replaced = replaceKeywords(text, mappings);
  const left = leftoverKeywords(replaced);
  if (left.length > 0) throw new FileError(origin, left.map((k) => `keyword ${k} has no value: give it with --keyword ${k.slice(2, -2)}=VALUE or in the --keywords file`));
  let doc: unknown;
  try {
    doc = load(replaced, { filename: origin });
  } catch (error) {
    if (error instanceof YAMLException) {
      const where = error.mark ? `line ${error.mark.line + 1}, column ${error.mark.column + 1}: ` : '';
      throw new FileError(origin, [`not valid YAML: ${where}${error.reason}`]);
    }
    throw error;
  }
  if (doc === undefined || doc === null) doc = {};
  if (!isObject(doc)) throw new FileError(origin, ['expected a mapping of resource types (clients:, resourceServers:, ...) at the top level']);

  const problems: string[] = [];
  const file: TenantFile = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'tenant') {
      if (value === null) continue;
      if (isObject(value)) file.tenant = value;
      else problems.push('tenant: expected a mapping of tenant settings');
    } else if ((FILE_KEYS as readonly string[]).includes(key)) {
      if (value === null) continue;
      if (!Array.isArray(value)) {
        problems.push(`${key}: expected a list`);
        continue;
      }
      value.forEach((item, i) => {
        if (!isObject(item)) problems.push(`${key}[${i}]: expected a mapping`);
      });
      file[key as ListKey] = value as Item[];
    } else if (!(value === null || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0))) {
      ignored.push(key);
    }
  }
  if (problems.length > 0) throw new FileError(origin, problems);
  return { file, ignored };
}

/** Identifying fields first (the Deploy CLI's order), then the others alphabetically, nested objects too. */
const FIRST = ['name', 'client_id', 'audience', 'template', 'identifier', 'strategy', 'script', 'stage', 'id'];

function ordered(value: unknown, top: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, false));
  if (!isObject(value)) return value;
  const keys = Object.keys(value).sort();
  const first = top ? FIRST.filter((k) => k in value) : [];
  const out: Item = {};
  for (const k of [...first, ...keys.filter((k) => !first.includes(k))]) out[k] = ordered(value[k], false);
  return out;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function sortItems(items: Item[]): Item[] {
  return [...items].sort(
    (a, b) => text(a.name).localeCompare(text(b.name)) || text(a.client_id).localeCompare(text(b.client_id)) || text(a.audience).localeCompare(text(b.audience)),
  );
}

export function dumpTenantFile(file: TenantFile): string {
  const out: Record<string, unknown> = {};
  for (const key of FILE_KEYS) {
    const value = file[key];
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? sortItems(value).map((item) => ordered(item, true)) : ordered(value, false);
  }
  return dump(out);
}
