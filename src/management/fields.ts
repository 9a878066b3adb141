// `fields` + `include_fields` (spec §3.4): keep only the listed fields, or drop them.

export type Projection = <T extends Record<string, unknown>>(value: T) => Partial<T>;

const identity: Projection = (value) => value;

export function projection(fields: string | undefined, includeFields: boolean | undefined): Projection {
  if (fields === undefined) return identity;
  const names = new Set(fields.split(',').map((f) => f.trim()).filter(Boolean));
  if (names.size === 0) return identity;
  const include = includeFields !== false;
  return (value) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (names.has(k) === include) out[k] = v;
    return out as Partial<typeof value>;
  };
}
