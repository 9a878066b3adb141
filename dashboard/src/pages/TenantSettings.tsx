// Tenant settings (GET/PATCH /api/v2/tenants/settings): the general fields, saved together as a
// PATCH of what changed, and the Advanced section (Global Client Id/Secret, legacy tokens).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { settingsPatch, toForm, type SettingsForm, type TenantSettingsWire } from '../lib/settings-form.ts';
import { Button, ErrorBanner, Field, Loading, Notice, Page } from '../components/ui.tsx';
import { AdvancedSettings } from './settings/Advanced.tsx';
import { DefaultTokenQuota } from './settings/DefaultTokenQuota.tsx';

type Errors = Partial<Record<keyof SettingsForm, string>>;

export function TenantSettingsPage({ params }: { params: Record<string, string> }) {
  const { api } = useSession();
  const loaded = useAsync(() => api.get<TenantSettingsWire>('/tenants/settings'), [api]);
  const [settings, setSettings] = useState<TenantSettingsWire>();
  const [form, setForm] = useState<SettingsForm>();
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);

  useEffect(() => {
    if (!loaded.data) return;
    setSettings(loaded.data);
    setForm(toForm(loaded.data));
  }, [loaded.data]);

  // Auth0's #/account/advanced: the Advanced section, once it is on the page.
  const advanced = params.section === 'advanced' && settings !== undefined;
  useEffect(() => {
    if (advanced) document.getElementById('advanced-title')?.scrollIntoView();
  }, [advanced]);

  if (!settings || !form) {
    return (
      <Page title="Tenant settings">
        {loaded.loading ? <Loading /> : <ErrorBanner error={loaded.error} />}
        {loaded.error !== undefined && <Button onClick={() => loaded.reload()}>Try again</Button>}
      </Page>
    );
  }

  const result = settingsPatch(settings, form);
  const dirty = !result.ok || Object.keys(result.patch).length > 0;
  const set = (key: keyof SettingsForm) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const input = (key: keyof SettingsForm, props: { type?: string; inputMode?: 'numeric' } = {}) => (id: string) => (
    <>
      <input id={id} name={key} value={form[key]} onChange={set(key)} aria-invalid={errors[key] !== undefined} spellCheck={false} {...props} />
      {errors[key] && <span className="field-error">{errors[key]}</span>}
    </>
  );

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    setBusy(true);
    setError(undefined);
    api.patch<TenantSettingsWire>('/tenants/settings', result.patch).then(
      (saved) => {
        setBusy(false);
        setSettings(saved);
        setForm(toForm(saved));
        setNotice('Settings saved.');
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  return (
    <Page title="Tenant settings">
      <form className="panel" onSubmit={save} aria-labelledby="general-title" noValidate>
        <h2 id="general-title">General</h2>
        <Field label="Friendly name" hint="Shown on the login page.">{input('friendly_name')}</Field>
        <Field label="Support email">{input('support_email', { type: 'email' })}</Field>
        <Field label="Support URL">{input('support_url', { type: 'url' })}</Field>
        <Field label="Default audience" hint="The API identifier used when a token request names no audience.">{input('default_audience')}</Field>
        <Field label="Allowed logout URLs" hint="One URL a line. /v2/logout may redirect to these when no application is named.">
          {(id) => (
            <textarea id={id} name="allowed_logout_urls" className="mono" value={form.allowed_logout_urls} onChange={set('allowed_logout_urls')} spellCheck={false} rows={4} />
          )}
        </Field>
        <div className="field-pair">
          <Field label="Session lifetime (hours)" hint="How long a login session lasts at most.">{input('session_lifetime', { inputMode: 'numeric' })}</Field>
          <Field label="Idle session lifetime (hours)" hint="How long a session lasts without use.">{input('idle_session_lifetime', { inputMode: 'numeric' })}</Field>
        </div>
        <Field label="Enabled locales" hint="Comma separated, the first is the default: en, fr, pt-BR.">{input('enabled_locales')}</Field>
        <ErrorBanner error={error} />
        <Notice text={notice} onDone={clearNotice} />
        <div className="form-actions">
          <Button type="submit" variant="primary" disabled={busy || !dirty}>
            {busy ? 'Saving…' : 'Save settings'}
          </Button>
          <Button
            onClick={() => {
              setForm(toForm(settings));
              setErrors({});
            }}
            disabled={busy || !dirty}
          >
            Discard changes
          </Button>
        </div>
      </form>
      <DefaultTokenQuota settings={settings} onSaved={setSettings} />
      {/* The switch changes flags only: edits in progress above stay as they are. */}
      <AdvancedSettings settings={settings} onSaved={setSettings} />
    </Page>
  );
}
