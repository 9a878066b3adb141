// A log stream's pii_config with method `mask` (Auth0 "Filtering and PII obfuscation"): the values
// of the fields each PII kind names are replaced with asterisks, wherever they sit in the event.
// Method `hash` (xxhash) is refused when the stream is saved (management/log-streams.ts).
import type { LogStreamPiiConfig } from '../schemas/log-stream.ts';

const FIELDS: Record<LogStreamPiiConfig['log_fields'][number], readonly string[]> = {
  first_name: ['first_name', 'given_name', 'name'],
  last_name: ['last_name', 'family_name', 'name'],
  email: ['email'],
  phone: ['phone', 'phone_number', 'old_phone_number', 'new_phone_number'],
  address: ['address'],
  username: ['username', 'user_name'],
};

export const MASK = '*****';

function masked(value: unknown, names: ReadonlySet<string>, depth: number): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => masked(v, names, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, names.has(k) && v !== null && v !== undefined && v !== '' ? MASK : masked(v, names, depth + 1)]));
}

/** The event with the configured PII fields masked (the event itself unchanged). */
export function maskPii(event: Record<string, unknown>, config: LogStreamPiiConfig | undefined): Record<string, unknown> {
  if (!config || config.log_fields.length === 0 || config.method === 'hash') return event;
  const names = new Set(config.log_fields.flatMap((f) => FIELDS[f]));
  return masked(event, names, 0) as Record<string, unknown>;
}
