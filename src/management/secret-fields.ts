// Which secrets a Management API answer may carry (issue 9, S1; security catalogue T-OUT-01). One
// rule for every route that renders an application or an API, present and future: `client_secret`
// only with read:client_keys, `signing_secret` only with read:resource_servers, a log stream's
// `httpAuthorization` only with read:log_streams, except where the
// route itself reveals one whatever the scopes (Auth0: the answers to POST /clients and
// rotate-secret carry the secret the caller just made). register.ts applies it where every answer
// is sent; routes find their secret-bearing objects from their own response schemas, so a route
// added later is covered without a line here.
import type { AuthContext, ManagementRoute } from './route.ts';

export type SecretField = 'client_secret' | 'signing_secret' | 'httpAuthorization';

interface SecretRule {
  /** The `$id` of the response schema whose objects carry the field. */
  schemaId: string;
  field: SecretField;
  /** The scope that lets a token read the field. */
  readScope: string;
}

export const SECRET_RULES: readonly SecretRule[] = [
  { schemaId: 'Client', field: 'client_secret', readScope: 'read:client_keys' },
  { schemaId: 'ResourceServer', field: 'signing_secret', readScope: 'read:resource_servers' },
  // Auth0 answers a log stream's httpAuthorization in plain text; reading it is logged (mgmt_api_read).
  { schemaId: 'LogStreamHttpSink', field: 'httpAuthorization', readScope: 'read:log_streams' },
];

/** Where the secret-bearing objects sit in an answer, compiled once from a route's response schemas. */
export interface SecretPlan {
  /** The value here is an object whose own keys may include these secrets. */
  fields?: SecretField[];
  /** The value is an array; each item follows this plan. */
  items?: SecretPlan;
  /** The value is an object; these properties follow their plans (`{clients: [...]}` and the like). */
  properties?: Record<string, SecretPlan>;
}

type Schema = Record<string, unknown>;

function merge(a: SecretPlan | undefined, b: SecretPlan | undefined): SecretPlan | undefined {
  if (!a || !b) return a ?? b;
  const fields = [...new Set([...(a.fields ?? []), ...(b.fields ?? [])])];
  const items = merge(a.items, b.items);
  const names = new Set([...Object.keys(a.properties ?? {}), ...Object.keys(b.properties ?? {})]);
  const properties: Record<string, SecretPlan> = {};
  for (const n of names) properties[n] = merge(a.properties?.[n], b.properties?.[n])!;
  return { ...(fields.length > 0 && { fields }), ...(items && { items }), ...(names.size > 0 && { properties }) };
}

function compile(schema: unknown, depth: number): SecretPlan | undefined {
  if (schema === null || typeof schema !== 'object' || depth > 16) return undefined;
  const s = schema as Schema;
  let plan: SecretPlan | undefined;
  const named = SECRET_RULES.filter((r) => s.$id === r.schemaId || s.$ref === r.schemaId || s.$ref === `#/components/schemas/${r.schemaId}`);
  if (named.length > 0) plan = { fields: named.map((r) => r.field) };
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = s[key];
    if (Array.isArray(branches)) for (const b of branches) plan = merge(plan, compile(b, depth + 1));
  }
  const items = compile(s.items, depth + 1);
  if (items) plan = merge(plan, { items });
  if (s.properties && typeof s.properties === 'object') {
    for (const [name, sub] of Object.entries(s.properties as Schema)) {
      const inner = compile(sub, depth + 1);
      if (inner) plan = merge(plan, { properties: { [name]: inner } });
    }
  }
  return plan;
}

function fieldsOf(plan: SecretPlan | undefined, out = new Set<SecretField>()): Set<SecretField> {
  if (!plan) return out;
  for (const f of plan.fields ?? []) out.add(f);
  fieldsOf(plan.items, out);
  for (const sub of Object.values(plan.properties ?? {})) fieldsOf(sub, out);
  return out;
}

/** Texts remembered as naming no secret field, per route: at most this many characters in all. */
const MAX_SCREENED_CHARS = 8_000_000;
const NOTHING_SHOWN: readonly SecretField[] = Object.freeze([]);

/** The secrets a route's answers can carry, where, and which it reveals; compiled when it is mounted. */
export class RouteSecrets {
  /**
   * Serialized answers already found to name no secret field. The GET /clients view cache hands
   * out the same string object again and again: a Set lookup (V8 keeps a string's hash in it)
   * instead of a scan of the whole text on every call.
   */
  readonly #screened = new Set<string>();
  #screenedChars = 0;

  readonly plan: SecretPlan;
  /** Every secret field its answers can carry. */
  readonly fields: readonly SecretField[];
  /** The fields it shows whatever the token's scopes. */
  readonly reveals: readonly SecretField[];

  constructor(plan: SecretPlan, fields: readonly SecretField[], reveals: readonly SecretField[]) {
    this.plan = plan;
    this.fields = fields;
    this.reveals = reveals;
  }

  /** The secrets this call may see: those the route reveals to any caller, and those its token may read. */
  visibleTo(auth: Pick<AuthContext, 'has'>): ReadonlySet<SecretField> {
    const out = new Set<SecretField>();
    for (const field of this.fields) {
      const rule = SECRET_RULES.find((r) => r.field === field)!;
      if (this.reveals.includes(field) || auth.has(rule.readScope)) out.add(field);
    }
    return out;
  }

  /** Whether a serialized answer needs filtering: it names a secret field (JSON.stringify writes key names literally). */
  #namesSecret(json: string): boolean {
    if (this.#screened.has(json)) return false;
    if (this.fields.some((field) => json.includes(`"${field}"`))) return true;
    if (this.#screenedChars + json.length > MAX_SCREENED_CHARS) {
      this.#screened.clear();
      this.#screenedChars = 0;
    }
    this.#screened.add(json);
    this.#screenedChars += json.length;
    return false;
  }

  /**
   * A handler's reply without the secrets `visible` leaves out, and which secrets it still carries.
   * An answer serialized ahead (the GET /clients view cache, built without secrets) is parsed and
   * filtered like any other only when it names a secret field.
   */
  guard<R extends { body?: unknown; json?: string }>(reply: R, visible: ReadonlySet<SecretField>): { reply: R; shown: readonly SecretField[] } {
    const json = reply.json !== undefined && this.#namesSecret(reply.json) ? reply.json : undefined;
    if (reply.body === undefined && json === undefined) return { reply, shown: NOTHING_SHOWN };
    const shown = new Set<SecretField>();
    const guarded = { ...reply };
    if (json !== undefined) {
      const value = JSON.parse(json) as unknown;
      const filtered = withoutHiddenSecrets(value, this.plan, visible, shown);
      if (filtered !== value) guarded.json = JSON.stringify(filtered);
    }
    if (reply.body !== undefined) guarded.body = withoutHiddenSecrets(reply.body, this.plan, visible, shown);
    return { reply: guarded, shown: [...shown] };
  }
}

/**
 * Where a route's answers (any documented status) can carry secrets; undefined when they cannot.
 * A route that reveals a secret its answers cannot carry is a mistake caught at start-up.
 */
export function routeSecrets(route: Pick<ManagementRoute, 'method' | 'url' | 'schema' | 'reveals'>): RouteSecrets | undefined {
  let plan: SecretPlan | undefined;
  for (const schema of Object.values(route.schema.response ?? {})) plan = merge(plan, compile(schema, 0));
  const fields = [...fieldsOf(plan)];
  const reveals = route.reveals ?? [];
  const stray = reveals.find((f) => !fields.includes(f));
  if (stray) throw new Error(`${route.method} ${route.url} reveals ${stray}, which its response schema cannot carry`);
  return plan && fields.length > 0 ? new RouteSecrets(plan, fields, reveals) : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `value` without the secrets `visible` leaves out (a copy where something is removed; the
 * handler's objects are never changed), and which secrets remain in it (`shown`).
 */
function withoutHiddenSecrets(value: unknown, plan: SecretPlan, visible: ReadonlySet<SecretField>, shown: Set<SecretField>): unknown {
  if (Array.isArray(value)) {
    if (!plan.items) return value;
    const items = plan.items;
    let changed = false;
    const out = value.map((v) => {
      const next = withoutHiddenSecrets(v, items, visible, shown);
      changed ||= next !== v;
      return next;
    });
    return changed ? out : value;
  }
  if (!isRecord(value)) return value;
  let out = value;
  const copy = () => (out === value ? (out = { ...value }) : out);
  for (const field of plan.fields ?? []) {
    if (!Object.hasOwn(value, field)) continue;
    if (visible.has(field)) shown.add(field);
    else delete copy()[field];
  }
  for (const [name, sub] of Object.entries(plan.properties ?? {})) {
    if (!Object.hasOwn(value, name)) continue;
    const next = withoutHiddenSecrets(value[name], sub, visible, shown);
    if (next !== value[name]) copy()[name] = next;
  }
  return out;
}
