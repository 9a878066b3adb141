// Whether an update body changes nothing (issue 12, E3). Configuration-as-code tools (the Deploy
// CLI) write back every object they read, Scopeward's system objects included (the dashboard
// application, the default connection; the global client takes any write but a secret): such a
// write must succeed when it asks for what already is, while a real change stays refused.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return Object.is(a, b);
}

/**
 * Whether `current` already holds every value `sent` names. An object sent may name only some of
 * its members (the Deploy CLI leaves out `jwt_configuration.secret_encoded`); an array or a
 * scalar must be equal; `null` (which resets a setting) holds only where the value is null.
 */
export function holds(current: unknown, sent: unknown): boolean {
  if (isObject(sent)) return isObject(current) && Object.entries(sent).every(([k, v]) => holds(current[k], v));
  return deepEqual(current, sent);
}
