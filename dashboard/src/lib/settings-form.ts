// The tenant settings form (GET/PATCH /api/v2/tenants/settings, spec §3.5.7), free of React and
// the DOM so that it is unit tested: settings → text fields, and fields → the PATCH body holding
// only what changed (a field never set stays absent instead of becoming "").

export interface TenantSettingsWire {
  friendly_name?: string;
  support_email?: string;
  support_url?: string;
  default_audience?: string;
  allowed_logout_urls?: string[];
  session_lifetime?: number;
  idle_session_lifetime?: number;
  enabled_locales?: string[];
  flags?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface SettingsForm {
  friendly_name: string;
  support_email: string;
  support_url: string;
  default_audience: string;
  /** One URL a line. */
  allowed_logout_urls: string;
  /** Hours, as typed. */
  session_lifetime: string;
  idle_session_lifetime: string;
  /** Comma or space separated. */
  enabled_locales: string;
}

/**
 * Auth0's session lifetimes for a tenant that never set them (hours), as GET /tenants/settings
 * answers them (src/management/tenant-settings-shape.ts DEFAULT_TENANT_SETTINGS): the form shows
 * these rather than empty fields, and saving them unchanged sends nothing.
 */
export const DEFAULT_SESSION_HOURS = { session_lifetime: 168, idle_session_lifetime: 72 } as const;

const sessionHours = (s: TenantSettingsWire, key: keyof typeof DEFAULT_SESSION_HOURS): number => s[key] ?? DEFAULT_SESSION_HOURS[key];

export function toForm(s: TenantSettingsWire): SettingsForm {
  return {
    friendly_name: s.friendly_name ?? '',
    support_email: s.support_email ?? '',
    support_url: s.support_url ?? '',
    default_audience: s.default_audience ?? '',
    allowed_logout_urls: (s.allowed_logout_urls ?? []).join('\n'),
    session_lifetime: String(sessionHours(s, 'session_lifetime')),
    idle_session_lifetime: String(sessionHours(s, 'idle_session_lifetime')),
    enabled_locales: (s.enabled_locales ?? []).join(', '),
  };
}

export type FormResult = { ok: true; patch: Partial<TenantSettingsWire> } | { ok: false; errors: Partial<Record<keyof SettingsForm, string>> };

const lines = (text: string): string[] => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
const words = (text: string): string[] => text.split(/[\s,]+/).filter((w) => w !== '');

function hours(text: string): number | undefined | { error: string } {
  if (text.trim() === '') return undefined;
  const n = Number(text.trim());
  if (!Number.isFinite(n) || n < 1 || n > 8760) return { error: 'Between 1 and 8760 hours (one year).' };
  return n;
}

/**
 * The PATCH body for the fields that differ from `before`, or per-field errors the form can show
 * next to the inputs. The server checks again (URLs, locales) and its message is shown as is.
 */
export function settingsPatch(before: TenantSettingsWire, form: SettingsForm): FormResult {
  const errors: Partial<Record<keyof SettingsForm, string>> = {};
  const patch: Partial<TenantSettingsWire> = {};
  for (const key of ['friendly_name', 'support_email', 'support_url', 'default_audience'] as const) {
    const value = form[key].trim();
    if (value !== (before[key] ?? '')) patch[key] = value;
  }
  if (form.friendly_name.includes('<') || form.friendly_name.includes('>')) errors.friendly_name = 'The name cannot contain < or >.';
  if (patch.support_email !== undefined && patch.support_email !== '' && !/^[^\s@]+@[^\s@]+$/.test(patch.support_email)) errors.support_email = 'Not an email address.';
  const urls = lines(form.allowed_logout_urls);
  if (urls.join('\n') !== (before.allowed_logout_urls ?? []).join('\n')) patch.allowed_logout_urls = urls;
  const locales = words(form.enabled_locales);
  if (locales.some((l) => !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l))) errors.enabled_locales = 'Locales look like en, fr or pt-BR.';
  else if (locales.join(',') !== (before.enabled_locales ?? []).join(',')) patch.enabled_locales = locales;
  for (const key of ['session_lifetime', 'idle_session_lifetime'] as const) {
    const value = hours(form[key]);
    if (typeof value === 'object') errors[key] = value.error;
    else if (value !== undefined && value !== sessionHours(before, key)) patch[key] = value;
    // An emptied lifetime cannot be unset through the API: keep the stored one.
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, patch };
}
