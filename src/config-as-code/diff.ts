// Which fields of a file item differ from the object on the server. Only the fields the file names
// count (an update is a PATCH, as in the Deploy CLI: a field left out of the file is left alone).
import type { Item } from './tenant-file.ts';

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Item)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Item)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Item)[k], (b as Item)[k]));
  }
  return false;
}

/** Same members, any order (scopes of a grant: the server keeps them as a set). */
export function sameSet(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return sameValue(a, b);
  const sa = new Set(a.map((v) => JSON.stringify(v)));
  const sb = new Set(b.map((v) => JSON.stringify(v)));
  return sa.size === sb.size && [...sa].every((v) => sb.has(v));
}

export interface DiffOptions {
  /** Fields never compared nor sent (identifiers, read-only fields). */
  ignore?: readonly string[];
  /** Objects the server merges one level deep (tenant flags): only their differing members are sent. */
  merged?: readonly string[];
  /** How to compare particular fields (default sameValue). */
  compare?: Record<string, (a: unknown, b: unknown) => boolean>;
}

/** The PATCH body that brings `remote` to what `wanted` says; empty when nothing differs. */
export function patchFor(wanted: Item, remote: Item, options: DiffOptions = {}): Item {
  const patch: Item = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (options.ignore?.includes(key)) continue;
    const current = remote[key];
    if (options.merged?.includes(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = patchFor(value as Item, current && typeof current === 'object' ? (current as Item) : {});
      if (Object.keys(inner).length > 0) patch[key] = inner;
      continue;
    }
    const same = options.compare?.[key] ?? sameValue;
    if (!same(value, current)) patch[key] = value;
  }
  return patch;
}
