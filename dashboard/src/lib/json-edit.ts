// JSON edited in a textarea (user and app metadata, the debugger's header and payload), free of
// React and the DOM so that it is unit tested. The Management API merges metadata at the root
// only and deletes a key sent as null (spec §3.5.4), so the editor shows the whole object and the
// page sends only the difference: changed keys with their new value, removed keys as null.

export type JsonObject = Record<string, unknown>;

export type Parsed = { ok: true; value: JsonObject } | { ok: false; error: string };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The textarea's text as a JSON object, or why it is not one. Blank text is `{}`. */
export function parseJsonObject(text: string): Parsed {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isObject(value)) return { ok: false, error: `Must be a JSON object ({ … }), not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}.` };
  return { ok: true, value };
}

/** Two-space JSON, as the editors show it. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value ?? {}, null, 2);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Objects with sorted keys, so that key order does not count as a change. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
}

/**
 * The PATCH body that turns `before` into `after` under root-level merge: keys whose value changed
 * (nested objects are replaced whole), and removed keys as null. A key the editor sets to null is
 * removed too: the API cannot store a null at the root. Empty when nothing changed.
 */
export function metadataPatch(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(after)) {
    if (value === null) {
      if (key in before) patch[key] = null;
    } else if (!(key in before) || !same(before[key], value)) patch[key] = value;
  }
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  return patch;
}

/** What the server does with such a PATCH (mirrors mergeMetadata in src/management/users-rules.ts). */
export function applyMetadataPatch(existing: JsonObject, patch: JsonObject | null): JsonObject {
  if (patch === null || Object.keys(patch).length === 0) return {};
  const merged: JsonObject = { ...existing };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
