// What user_metadata and app_metadata may hold, checked on every write (POST and PATCH
// /api/v2/users; the dashboard and current-user tokens go through those), T-OUT-02. Auth0's
// documented rules ("Metadata field names and data types"): field names contain no `.` and no `$`
// (at any depth here: a dotted name could never be searched, `user_metadata.a.b` meaning a.b), and
// app_metadata does not use the names Auth0 reserves. Auth0 caps a whole profile at 10 KB, with an
// allowance of about ten times that before writes fail; Scopeward caps each metadata object at
// 64 KiB of JSON, so a user filling its user_metadata never blocks an administrator's
// app_metadata. And a depth bound Auth0 leaves to its database: 32 levels, far below where JSON
// functions give up (SQLite's 1,000), so every stored document stays searchable.
//
// Deep documents are walked with an explicit stack, never by recursion.

export const METADATA_LIMITS = {
  /** Levels of nesting: `{"a": 1}` is 1, `{"a": {"b": [1]}}` is 3. */
  maxDepth: 32,
  /** UTF-8 bytes of the object as JSON, after a PATCH's merge. */
  maxBytes: 64 * 1024,
} as const;

/** Auth0: "The app_metadata field must not contain any of these properties". */
export const RESERVED_APP_METADATA = new Set([
  '__tenant',
  '_id',
  'blocked',
  'clientID',
  'created_at',
  'email_verified',
  'email',
  'globalClientID',
  'global_client_id',
  'identities',
  'lastIP',
  'lastLogin',
  'loginsCount',
  'metadata',
  'multifactor_last_modified',
  'multifactor',
  'updated_at',
  'user_id',
]);

export type MetadataField = 'user_metadata' | 'app_metadata';

const show = (name: string): string => JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}...` : name);

/**
 * Why `value` (the metadata a request sends) breaks the shape rules, or undefined. Stops at the
 * first problem, and never descends past the depth bound.
 */
export function metadataShapeProblem(field: MetadataField, value: Readonly<Record<string, unknown>>): string | undefined {
  if (field === 'app_metadata') {
    for (const name of Object.keys(value)) if (RESERVED_APP_METADATA.has(name)) return `The property name ${show(name)} is reserved in app_metadata`;
  }
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > METADATA_LIMITS.maxDepth) return `Metadata must not be nested more than ${METADATA_LIMITS.maxDepth} levels deep`;
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
      continue;
    }
    for (const [name, child] of Object.entries(node as Record<string, unknown>)) {
      if (name.includes('.') || name.includes('$')) return `The property name ${show(name)} must not contain "." or "$"`;
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** Why the metadata as it would be stored is too large, or undefined. Call after the shape check. */
export function metadataSizeProblem(stored: Readonly<Record<string, unknown>>): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(stored), 'utf8');
  return bytes > METADATA_LIMITS.maxBytes ? `Metadata must not be larger than ${METADATA_LIMITS.maxBytes} bytes as JSON (it would be ${bytes})` : undefined;
}
