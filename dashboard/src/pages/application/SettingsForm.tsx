// An application's editable settings: one form, one PATCH of what changed, the server's
// validation message shown as is (URL rules live on the server, T-RU-20/21).
import { useCallback, useState, type FormEvent } from 'react';
import { seg } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { LengthHint, LimitedInput, LimitedTextarea } from '../../components/limits.tsx';
import { Button, ErrorBanner, Field, Notice } from '../../components/ui.tsx';
import { APP_TYPES, withoutSecret, type AuthMethod, type Client } from '../wire.ts';

const URL_LISTS = [
  ['callbacks', 'Allowed Callback URLs', 'Where the login may redirect back to; exact match.'],
  ['allowed_logout_urls', 'Allowed Logout URLs', 'Where /v2/logout may return to.'],
  ['web_origins', 'Allowed Web Origins', 'Origins allowed for silent authentication (web_message).'],
  ['allowed_origins', 'Allowed Origins (CORS)', 'Origins allowed to call the tenant from a browser.'],
] as const;
type UrlList = (typeof URL_LISTS)[number][0];

const GRANT_TYPES: [string, string][] = [
  ['authorization_code', 'Authorization Code'],
  ['implicit', 'Implicit'],
  ['refresh_token', 'Refresh Token'],
  ['client_credentials', 'Client Credentials'],
  ['password', 'Password'],
  ['http://auth0.com/oauth/grant-type/password-realm', 'Password Realm'],
  ['urn:ietf:params:oauth:grant-type:device_code', 'Device Code'],
];

const AUTH_METHODS: [AuthMethod, string][] = [
  ['none', 'None (public application)'],
  ['client_secret_post', 'Client secret (POST)'],
  ['client_secret_basic', 'Client secret (Basic)'],
];

interface Draft {
  name: string;
  description: string;
  app_type: string;
  token_endpoint_auth_method: AuthMethod;
  grant_types: string[];
  lists: Record<UrlList, string>;
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function draftOf(c: Client): Draft {
  return {
    name: c.name,
    description: c.description ?? '',
    app_type: c.app_type ?? '',
    token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'client_secret_post',
    grant_types: c.grant_types ?? [],
    lists: Object.fromEntries(URL_LISTS.map(([k]) => [k, (c[k] ?? []).join('\n')])) as Record<UrlList, string>,
  };
}

/** Only what differs from the loaded client, so a read-only field is never sent back. */
function changes(c: Client, d: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.name.trim() !== c.name) out.name = d.name.trim();
  if (d.description !== (c.description ?? '')) out.description = d.description;
  if (d.app_type && d.app_type !== c.app_type) out.app_type = d.app_type;
  // A Private Key JWT client has no token_endpoint_auth_method (issue 15): the draft shows the default, which is no change.
  if (d.token_endpoint_auth_method !== (c.token_endpoint_auth_method ?? 'client_secret_post')) out.token_endpoint_auth_method = d.token_endpoint_auth_method;
  if (d.grant_types.join() !== (c.grant_types ?? []).join()) out.grant_types = d.grant_types;
  for (const [k] of URL_LISTS) {
    const next = lines(d.lists[k]);
    if (next.join('\n') !== (c[k] ?? []).join('\n')) out[k] = next;
  }
  return out;
}

export function SettingsForm({ client, readOnly, onSaved }: { client: Client; readOnly: boolean; onSaved: (c: Client) => void }) {
  const { api } = useSession();
  const [draft, setDraft] = useState(() => draftOf(client));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const pending = changes(client, draft);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(pending).length === 0) return;
    setBusy(true);
    setError(undefined);
    api.patch<Client & { client_secret?: string }>(`/clients/${seg(client.client_id)}`, pending).then(
      (updated) => {
        setBusy(false);
        // PATCH answers with the whole client, with its secret when the token may read it (the
        // dashboard's may: read:client_keys); the secret stays out of the page until Reveal.
        const saved = withoutSecret(updated);
        setDraft(draftOf(saved));
        setNotice('Changes saved.');
        onSaved(saved);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };
  const grantToggle = (value: string, on: boolean) => set({ grant_types: on ? [...draft.grant_types, value] : draft.grant_types.filter((g) => g !== value) });
  return (
    <form onSubmit={submit} aria-label="Application settings">
      <fieldset className="panel plain" disabled={readOnly}>
        <h2>Settings</h2>
        <Field label="Name" hint={<LengthHint value={draft.name} max={255} />}>
          {(id) => <LimitedInput id={id} value={draft.name} onChange={(name) => set({ name })} max={255} required autoComplete="off" />}
        </Field>
        <Field label="Description" hint={<LengthHint value={draft.description} max={140} />}>
          {(id) => <LimitedTextarea id={id} className="short" value={draft.description} onChange={(description) => set({ description })} max={140} />}
        </Field>
        {!client.global && (
          <Field label="Application Type">
            {(id) => (
              <select id={id} value={draft.app_type} onChange={(e) => set({ app_type: e.target.value })}>
                {draft.app_type === '' && <option value="">Generic</option>}
                {APP_TYPES.map((t) => (
                  <option key={t.value} value={t.value}>
                    {t.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="Token Endpoint Authentication Method">
          {(id) => (
            <select id={id} value={draft.token_endpoint_auth_method} onChange={(e) => set({ token_endpoint_auth_method: e.target.value as AuthMethod })}>
              {AUTH_METHODS.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </fieldset>
      <fieldset className="panel plain" disabled={readOnly}>
        <h2>Application URIs</h2>
        {URL_LISTS.map(([k, label, hint]) => (
          <Field key={k} label={label} hint={`${hint} One per line.`}>
            {(id) => <textarea id={id} className="mono" value={draft.lists[k]} onChange={(e) => set({ lists: { ...draft.lists, [k]: e.target.value } })} spellCheck={false} />}
          </Field>
        ))}
      </fieldset>
      <fieldset className="panel plain" disabled={readOnly}>
        <legend className="sr-only">Grant types</legend>
        <h2 aria-hidden="true">Grant Types</h2>
        <div className="checks">
          {GRANT_TYPES.map(([v, label]) => (
            <label key={v} className="check">
              <input type="checkbox" checked={draft.grant_types.includes(v)} onChange={(e) => grantToggle(v, e.target.checked)} /> {label}
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorBanner error={error} />
      <Notice text={notice} onDone={clearNotice} />
      {!readOnly && (
        <div className="form-actions sticky-actions">
          <Button type="submit" variant="primary" disabled={busy || Object.keys(pending).length === 0}>
            Save Changes
          </Button>
          {Object.keys(pending).length > 0 && (
            <Button onClick={() => setDraft(draftOf(client))} disabled={busy}>
              Discard changes
            </Button>
          )}
        </div>
      )}
    </form>
  );
}
