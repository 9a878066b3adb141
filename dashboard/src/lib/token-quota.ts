// Auth0's token quotas (issue 15) in the dashboard: the form's text fields to a `token_quota`
// value (Auth0's names and bounds: per_hour and per_day 1..2147483647, at least one) and back.

export interface TokenQuotaWire {
  client_credentials: { enforce?: boolean; per_hour?: number; per_day?: number };
}

export interface QuotaForm {
  per_hour: string;
  per_day: string;
  enforce: boolean;
}

const MAX = 2147483647;

export function quotaToForm(q: TokenQuotaWire | null | undefined): QuotaForm {
  const c = q?.client_credentials;
  return { per_hour: c?.per_hour === undefined ? '' : String(c.per_hour), per_day: c?.per_day === undefined ? '' : String(c.per_day), enforce: c?.enforce !== false };
}

export type QuotaResult = { ok: true; value: TokenQuotaWire } | { ok: false; errors: Partial<Record<'per_hour' | 'per_day', string>> };

/** The quota the form describes, or why not. Both fields empty is an error: "Remove" clears a quota. */
export function formToQuota(f: QuotaForm): QuotaResult {
  const errors: Partial<Record<'per_hour' | 'per_day', string>> = {};
  const read = (key: 'per_hour' | 'per_day'): number | undefined => {
    const text = f[key].trim();
    if (text === '') return undefined;
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX) {
      errors[key] = `A whole number from 1 to ${MAX.toLocaleString('en-US')}.`;
      return undefined;
    }
    return Number(text);
  };
  const perHour = read('per_hour');
  const perDay = read('per_day');
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (perHour === undefined && perDay === undefined) return { ok: false, errors: { per_hour: 'Give a limit per hour, per day, or both.' } };
  return { ok: true, value: { client_credentials: { enforce: f.enforce, ...(perHour !== undefined && { per_hour: perHour }), ...(perDay !== undefined && { per_day: perDay }) } } };
}

/** "10 an hour, 100 a day, enforced" */
export function describeQuota(q: TokenQuotaWire | null | undefined): string {
  const c = q?.client_credentials;
  if (!c) return 'No quota';
  const parts = [c.per_hour !== undefined && `${c.per_hour.toLocaleString('en-US')} an hour`, c.per_day !== undefined && `${c.per_day.toLocaleString('en-US')} a day`].filter(Boolean);
  return `${parts.join(', ')}, ${c.enforce === false ? 'not enforced (logged only)' : 'enforced'}`;
}
