// Creating a Machine to Machine application asks, as Auth0 does, which API it may call and with
// which permissions; Create then makes the application and its client grant together, so the new
// application can get a token at once instead of landing on "Not authorized for any API".
import { useId } from 'react';
import { useSession } from '../../lib/session.tsx';
import { useAsync } from '../../lib/use-async.ts';
import { ErrorBanner, Loading } from '../../components/ui.tsx';
import { listAll, type ResourceServer } from '../wire.ts';
import { ScopeChecklist } from '../api/ScopeChecklist.tsx';

/** No API chosen: the application is created unauthorized (it can be authorized later from an API's page). */
export const NO_API = '';

export interface GrantChoice {
  audience: string;
  scopes: Set<string>;
}

export function AuthorizeOnCreate({ choice, onChange }: { choice: GrantChoice; onChange: (c: GrantChoice) => void }) {
  const { api, config } = useSession();
  const selectId = useId();
  const loaded = useAsync(() => listAll<ResourceServer>(api, '/resource-servers', { fields: 'id,name,identifier,scopes,is_system', include_fields: true }), [api]);
  const apis = loaded.data ?? [];
  const chosen = apis.find((a) => a.identifier === choice.audience);
  return (
    <fieldset className="authorize-on-create" aria-labelledby={`${selectId}-legend`}>
      <legend id={`${selectId}-legend`}>Authorize it for an API</legend>
      <p className="hint">Choose the API this application will call and the permissions its tokens carry. You can change them later on the API&apos;s page.</p>
      <ErrorBanner error={loaded.error} />
      {loaded.loading && !loaded.data && <Loading />}
      {loaded.data && (
        <div className="field">
          <label htmlFor={selectId}>API</label>
          <select id={selectId} value={choice.audience} onChange={(e) => onChange({ audience: e.target.value, scopes: new Set() })}>
            <option value={NO_API}>None for now (authorize later)</option>
            {apis.map((a) => (
              <option key={a.id} value={a.identifier} title={a.identifier}>
                {a.name}
                {a.identifier === config.audience ? ' (System API)' : ''}
              </option>
            ))}
          </select>
        </div>
      )}
      {chosen && (
        <div className="scope-picker" role="group" aria-label={`Permissions for ${chosen.name}`}>
          {(chosen.scopes ?? []).length === 0 ? (
            <p className="hint">This API defines no permissions: its tokens carry no scope.</p>
          ) : (
            <>
              <ScopeChecklist scopes={chosen.scopes ?? []} selected={choice.scopes} onChange={(scopes) => onChange({ ...choice, scopes })} />
              <p className="hint" aria-live="polite">
                {choice.scopes.size} of {(chosen.scopes ?? []).length} selected
              </p>
            </>
          )}
        </div>
      )}
    </fieldset>
  );
}
