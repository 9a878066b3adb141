// Request validation with Ajv, and the translation of its first error into Auth0's wording
// ("Payload validation error: 'Missing required property: name'.", spec §3.2). Bodies are checked
// as sent (no coercion, no silent removal of unknown fields); query strings and path parameters
// are coerced from text, as they must be.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const bodyAjv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, verbose: true, strict: false });
const textAjv = new Ajv({ allErrors: false, coerceTypes: 'array', useDefaults: false, removeAdditional: false, verbose: true, strict: false });

/**
 * Where a NUL character sits in `value` (a JSON pointer), if anywhere, keys included. Recursive:
 * JSON bodies reach it at most MAX_JSON_DEPTH deep (body.ts refuses deeper ones unparsed, S10);
 * query strings, forms and paths are flat.
 */
function nulAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const here = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (k.includes('\u0000')) return here;
    const found = nulAt(v, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Ajv's check, then one rule no schema states: no NUL anywhere. PostgreSQL text cannot hold one,
 * so an id like `%00` would otherwise end in a database error and a 500 (T-MG-15).
 * Compiled on first use: compiling every route's schemas at start-up was a third of the server's
 * start (about 300 ms of CPU, issue 12: `scopeward dev` starts in under a second), and a route's
 * first call pays a millisecond or two instead.
 */
export function compileValidator(schema: object, httpPart: string | undefined): ValidateFunction {
  let validate: ValidateFunction | undefined;
  const checked = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    validate ??= (httpPart === 'body' ? bodyAjv : textAjv).compile(schema);
    if (!validate(data, context)) {
      checked.errors = validate.errors;
      return false;
    }
    const at = nulAt(data);
    checked.errors = at === undefined ? null : [{ keyword: 'nul', instancePath: at, schemaPath: '', params: {}, message: 'String must not contain NUL characters' }];
    return at === undefined;
  }) as ValidateFunction;
  // Fastify lets Ajv coerce a root value in place (query strings) only when it sees schemaEnv: it
  // then passes the parent object along. Any value will do before the compile.
  checked.schemaEnv = {} as ValidateFunction['schemaEnv'];
  checked.schema = schema;
  return checked;
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

function property(path: string): string {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  const data = e.data;
  switch (e.keyword) {
    case 'required':
      return `Missing required property: ${String(p.missingProperty)}`;
    case 'additionalProperties':
      return `Additional properties not allowed: ${String(p.additionalProperty)}`;
    case 'type':
      return `Expected type ${String(p.type)} but found type ${typeOf(data)}`;
    case 'enum':
    case 'const': // a union of literals (TypeBox) fails on its first `const`
      return `No enum match for: ${JSON.stringify(data)}`;
    case 'minLength':
      return `String is too short (${String(data).length} chars), minimum ${String(p.limit)}`;
    case 'maxLength':
      return `String is too long (${String(data).length} chars), maximum ${String(p.limit)}`;
    case 'pattern':
      return `String does not match pattern ${String(p.pattern)}: ${String(data).slice(0, 100)}`;
    case 'minItems':
      return `Array is too short (${(data as unknown[]).length}), minimum ${String(p.limit)}`;
    case 'maxItems':
      return `Array is too long (${(data as unknown[]).length}), maximum ${String(p.limit)}`;
    case 'minimum':
      return `Value ${String(data)} is less than minimum ${String(p.limit)}`;
    case 'maximum':
      return `Value ${String(data)} is greater than maximum ${String(p.limit)}`;
    case 'maxProperties':
      return `Too many properties defined (${Object.keys(data as object).length}), maximum ${String(p.limit)}`;
    case 'anyOf':
      return "Data does not match any schemas from 'anyOf'";
    default:
      return e.message ?? 'Invalid value';
  }
}

const PREFIX: Record<string, string> = { body: 'Payload', querystring: 'Query', params: 'Path', headers: 'Header' };

/** Auth0-style text for the first validation error of `part`. */
export function validationMessage(errors: readonly ErrorObject[], part: string): string {
  const e = errors[0];
  const prefix = `${PREFIX[part] ?? 'Request'} validation error`;
  if (!e) return `${prefix}.`;
  const at = property(e.instancePath);
  return at ? `${prefix}: '${describe(e)}' on property ${at}.` : `${prefix}: '${describe(e)}'.`;
}
