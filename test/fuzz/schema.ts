// Values from the server's own OpenAPI schemas: mostly what the schema allows (so requests get past
// validation into the handlers), edges of every bound (maxLength, maximum, +1), and at any field a
// hostile value instead. A few property names map to the server's live objects (an existing
// client id, audience, user…) so handlers meet real rows, through placeholders (values.ts).
import fc from 'fast-check';
import { deepJson, HUGE, hostileJson, Obj, pool, Raw, type J } from './values.ts';

export type Schema = Record<string, unknown>;

/** Property names whose values are best taken from the server's objects (pool names of target.ts). */
const NAMED_POOLS: Record<string, string> = {
  client_id: 'client',
  audience: 'apiIdentifier',
  identifier: 'apiIdentifier',
  identifiers: 'apiIdentifier',
  user_id: 'user',
  connection: 'connectionName',
  email: 'email',
  scope: 'scope',
  value: 'scope',
  jti: 'jti',
  aud: 'client',
};

/** Searches (users' `q`, logs' `q` and `search`) that reach the query engines rather than their parsers' errors. */
const QUERIES = ['user_metadata.a:"b"', '_exists_:user_metadata.a', 'user_metadata.a.a.a:1', 'app_metadata.x:[1 TO 5]', 'email:"victim@example.com"', 'name:vic*', 'NOT blocked:true', 'type:sapi', 'date:[2020-01-01 TO *]', 'client_id:x OR ip:127.0.0.1'];
const URLS = ['https://app.example.com/cb', 'http://localhost:3000', 'https://app.example.com', 'javascript:alert(1)', 'https://*.example.com', 'https://user:pw@app.example.com/#x'];
const PASSWORDS = ['Correct-Horse-7', 'Str0ng!Passw0rd', 'short', 'a'.repeat(73), '\u0000Pass-word-1'];

export class SchemaValues {
  readonly #components: Record<string, Schema>;
  readonly #cache = new Map<string, fc.Arbitrary<J>>();
  /** Only values the schema accepts: requests that get past validation into the handlers. */
  readonly #clean: boolean;

  constructor(doc: { components?: { schemas?: Record<string, Schema> } }, options: { clean?: boolean } = {}) {
    this.#components = doc.components?.schemas ?? {};
    this.#clean = options.clean === true;
  }

  resolve(schema: Schema): Schema {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const target = this.#components[ref.replace('#/components/schemas/', '')];
    if (!target) throw new Error(`OpenAPI: ${ref} is not in components.schemas`);
    return this.resolve(target);
  }

  /** Mostly valid, sometimes hostile: what a field of a fuzzed request holds. */
  fuzzy(schema: Schema, name = '', depth = 0): fc.Arbitrary<J> {
    if (this.#clean) return this.valid(schema, name, depth);
    return fc.oneof({ weight: 6, arbitrary: this.valid(schema, name, depth) }, { weight: 1, arbitrary: hostileJson });
  }

  /** A value the schema accepts (or one step past a bound), memoized per schema and name. */
  valid(schema: Schema, name = '', depth = 0): fc.Arbitrary<J> {
    const key = `${name}|${depth}|${JSON.stringify(schema)}`;
    let arbitrary = this.#cache.get(key);
    if (!arbitrary) {
      arbitrary = this.#build(this.resolve(schema), name, depth);
      this.#cache.set(key, arbitrary);
    }
    return arbitrary;
  }

  #build(s: Schema, name: string, depth: number): fc.Arbitrary<J> {
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as J[]));
    if ('const' in s) return fc.constant(s.const as J);
    const members = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (members) return fc.oneof(...members.map((m) => this.valid(m, name, depth)));
    if (Array.isArray(s.type)) return fc.oneof(...(s.type as string[]).map((type) => this.#build({ ...s, type }, name, depth)));
    switch (s.type) {
      case 'object':
        return depth > 3 ? fc.constant(new Obj([])) : this.#object(s, depth);
      case 'array': {
        const item = this.fuzzy((s.items as Schema | undefined) ?? {}, name, depth + 1);
        return fc.array(item, { minLength: Math.min(Number(s.minItems ?? 0), 3), maxLength: Math.min(Number(s.maxItems ?? 3), 3) });
      }
      case 'string':
        return this.#string(s, name);
      case 'integer':
      case 'number':
        return this.#number(s);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default: {
        // Any JSON (metadata): where deep nesting gets furthest into the server (S10).
        const json = fc.jsonValue({ maxDepth: 2 }).map((v): J => new Raw(JSON.stringify(v)));
        return this.#clean ? json : fc.oneof({ weight: 2, arbitrary: json }, { weight: 1, arbitrary: deepJson });
      }
    }
  }

  #object(s: Schema, depth: number): fc.Arbitrary<J> {
    const required = new Set((s.required ?? []) as string[]);
    const properties = Object.entries((s.properties ?? {}) as Record<string, Schema>);
    const member = ([key, schema]: [string, Schema]) => this.fuzzy(schema, key, depth + 1).map((v): [string, J] => [key, v]);
    const fields = properties.map((p) =>
      required.has(p[0])
        ? fc.oneof({ weight: 9, arbitrary: member(p) }, { weight: 1, arbitrary: fc.constant(undefined) })
        : fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: member(p) }),
    );
    const open = s.additionalProperties !== false || s.patternProperties !== undefined;
    const extraValue = typeof s.additionalProperties === 'object' ? (s.additionalProperties as Schema) : (Object.values((s.patternProperties ?? {}) as Record<string, Schema>)[0] ?? {});
    const extraKey = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'a.b', '$where', ''));
    const extras = fc.oneof(
      { weight: 4, arbitrary: fc.constant<[string, J][]>([]) },
      { weight: open ? 2 : 1, arbitrary: fc.array(fc.tuple(extraKey, this.fuzzy(extraValue, '', depth + 1)), { maxLength: 3 }) },
    );
    return fc.tuple(fc.tuple(...fields), extras).map(([chosen, extra]) => new Obj([...chosen.filter((m): m is [string, J] => m !== undefined), ...extra]));
  }

  #string(s: Schema, name: string): fc.Arbitrary<string> {
    const min = Number(s.minLength ?? 0);
    const max = typeof s.maxLength === 'number' ? s.maxLength : undefined;
    const base = typeof s.pattern === 'string' ? fc.stringMatching(new RegExp(s.pattern)) : fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max ?? 30, 30)) });
    const edges = max !== undefined && max <= 70_000 && !this.#clean ? [fc.constant('a'.repeat(max)), fc.constant('a'.repeat(max + 1))] : [];
    const named: fc.Arbitrary<string>[] = [];
    const poolName = NAMED_POOLS[name];
    if (poolName) named.push(fc.nat(7).map((i) => pool(poolName, i, 'j')));
    if (/ur[il]s?$|callbacks|origins|picture/.test(name)) named.push(fc.constantFrom(...URLS));
    if (name === 'password') named.push(fc.constantFrom(...PASSWORDS));
    if (name === 'q' || name === 'search') named.push(fc.constantFrom(...QUERIES));
    return fc.oneof({ weight: 3, arbitrary: base }, ...edges.map((arbitrary) => ({ weight: 1, arbitrary })), ...named.map((arbitrary) => ({ weight: 4, arbitrary })));
  }

  /** Inside the bounds, on them and one past, and far past: 2^31, 2^53+1, 2^63-1, 1e20, 1e400 (S9). */
  #number(s: Schema): fc.Arbitrary<J> {
    const integer = s.type === 'integer';
    const min = typeof s.minimum === 'number' ? s.minimum : -1_000_000;
    const max = typeof s.maximum === 'number' ? s.maximum : 1_000_000;
    const inside = integer ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    if (this.#clean) return fc.oneof(inside, fc.constantFrom(min, max));
    const edges = [min, max, min - 1, max + 1, integer ? min + 0.5 : max * 2].filter(Number.isFinite);
    return fc.oneof({ weight: 3, arbitrary: inside }, { weight: 1, arbitrary: fc.constantFrom(...edges) }, { weight: 2, arbitrary: fc.constantFrom(...HUGE).map((n) => new Raw(n)) });
  }
}
