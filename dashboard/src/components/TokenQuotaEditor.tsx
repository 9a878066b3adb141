// The token quota editor (issue 15), shared by the application page (`token_quota`) and tenant
// settings (`default_token_quota.clients`): per hour, per day, enforce; Save and Remove.
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { describeQuota, formToQuota, quotaToForm, type QuotaForm, type TokenQuotaWire } from '../lib/token-quota.ts';
import { Button, ErrorBanner, Field, Notice } from './ui.tsx';

export function TokenQuotaEditor({ id, title, intro, value, readOnly, onSave }: {
  id: string;
  title: string;
  intro: ReactNode;
  value: TokenQuotaWire | null | undefined;
  readOnly?: boolean;
  /** null removes the quota. */
  onSave: (next: TokenQuotaWire | null) => Promise<void>;
}) {
  const [form, setForm] = useState<QuotaForm>(quotaToForm(value));
  const [errors, setErrors] = useState<Partial<Record<'per_hour' | 'per_day', string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  useEffect(() => setForm(quotaToForm(value)), [value]);

  const run = (next: TokenQuotaWire | null, done: string) => {
    setBusy(true);
    setError(undefined);
    onSave(next).then(
      () => {
        setBusy(false);
        setNotice(done);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    const result = formToQuota(form);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    run(result.value, 'Token quota saved.');
  };
  const text = (key: 'per_hour' | 'per_day') => (fieldId: string) => (
    <>
      <input id={fieldId} name={`${id}-${key}`} inputMode="numeric" value={form[key]} disabled={readOnly} aria-invalid={errors[key] !== undefined} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
      {errors[key] && <span className="field-error">{errors[key]}</span>}
    </>
  );

  return (
    <form className="panel token-quota" onSubmit={save} aria-labelledby={`${id}-h`} noValidate>
      <h2 id={`${id}-h`}>{title}</h2>
      <p className="hint">{intro}</p>
      <p className="token-quota-current">
        Now: <strong>{describeQuota(value)}</strong>
      </p>
      <div className="field-pair">
        <Field label="Tokens per hour" hint="Resets at the start of each UTC hour.">{text('per_hour')}</Field>
        <Field label="Tokens per day" hint="Resets at 00:00 UTC.">{text('per_day')}</Field>
      </div>
      <label className="check">
        <input type="checkbox" name={`${id}-enforce`} checked={form.enforce} disabled={readOnly} onChange={(e) => setForm({ ...form, enforce: e.target.checked })} /> Enforce (refuse with 429 past the
        quota; off: only log each request over it)
      </label>
      <ErrorBanner error={error} />
      <Notice text={notice} onDone={clearNotice} />
      {!readOnly && (
        <div className="form-actions">
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save quota'}
          </Button>
          <Button onClick={() => run(null, 'Token quota removed.')} disabled={busy || value === null || value === undefined}>
            Remove quota
          </Button>
        </div>
      )}
    </form>
  );
}
