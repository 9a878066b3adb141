// Boot: read the tenant's dashboard configuration, sign the admin in through the tenant's own
// /authorize (authorization code + PKCE, @auth0/auth0-spa-js), then render the dashboard. The
// explorer (/explorer) needs no sign-in: it works with whatever token is pasted into it.
import { createAuth0Client, type Auth0Client } from '@auth0/auth0-spa-js';
import { StrictMode, lazy, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ApiClient } from './lib/api.ts';
import type { DashboardConfig, Session } from './lib/session.tsx';
import { SessionContext } from './lib/session.tsx';
import { adoptHashRoute, BASE } from './lib/router.tsx';
import { Loading } from './components/ui.tsx';
import './styles.css';

const ExplorerPage = lazy(() => import('./explorer/ExplorerPage.tsx').then((m) => ({ default: m.ExplorerPage })));

const root = createRoot(document.getElementById('root')!);

async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch(`${BASE}/config.json`, { credentials: 'omit' });
  if (!response.ok) throw new Error(`The dashboard configuration could not be loaded (${response.status}).`);
  return (await response.json()) as DashboardConfig;
}

async function signIn(config: DashboardConfig): Promise<Session | undefined> {
  const auth0: Auth0Client = await createAuth0Client({
    domain: config.domain,
    clientId: config.client_id,
    cacheLocation: 'memory',
    authorizationParams: {
      redirect_uri: `${config.issuer}dashboard/`,
      audience: config.audience,
      scope: ['openid', 'profile', 'email', ...config.scopes].join(' '),
    },
  });
  const params = new URLSearchParams(window.location.search);
  if (params.has('state') && (params.has('code') || params.has('error'))) {
    const result = await auth0.handleRedirectCallback<{ returnTo?: string }>();
    const returnTo = result.appState?.returnTo;
    history.replaceState(null, '', returnTo?.startsWith(`${BASE}/`) ? returnTo : `${BASE}/`);
  } else if (!(await auth0.isAuthenticated())) {
    try {
      await auth0.getTokenSilently();
    } catch {
      await auth0.loginWithRedirect({ appState: { returnTo: window.location.pathname + window.location.search } });
      return undefined;
    }
  }
  const token = async (): Promise<string> => {
    const value = await auth0.getTokenSilently();
    if (!value) throw new Error('The sign-in returned no access token.');
    return value;
  };
  const claims = await auth0.getIdTokenClaims();
  const granted = await grantedScopes(await token());
  return {
    config,
    api: new ApiClient(window.location.origin, token),
    email: typeof claims?.email === 'string' ? claims.email : typeof claims?.sub === 'string' ? claims.sub : 'admin',
    scopes: granted,
    token,
    logout: () => void auth0.logout({ logoutParams: { returnTo: `${config.issuer}dashboard/` } }),
  };
}

/** The scopes in an access token's payload (read, not verified: the server verifies). */
async function grantedScopes(token: string): Promise<ReadonlySet<string>> {
  const payload = token.split('.')[1] ?? '';
  const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { scope?: string };
  return new Set((json.scope ?? '').split(' ').filter(Boolean));
}

/** Set once the configuration is read: the failure page offers to sign out of the tenant's session. */
let loaded: DashboardConfig | undefined;

function Failure({ error }: { error: unknown }) {
  // A signed-in user who is not an administrator comes back with access_denied; "Try again" would
  // reuse the same login session, so offer to end it and sign in as someone else.
  const signOut = loaded && `${loaded.issuer}v2/logout?${new URLSearchParams({ client_id: loaded.client_id, returnTo: `${loaded.issuer}dashboard/` }).toString()}`;
  return (
    <main className="boot-failure">
      <h1>The dashboard could not start</h1>
      <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
      <p>
        <a href={`${BASE}/`}>Try again</a>
        {signOut && (
          <>
            {' · '}
            <a href={signOut}>Sign in as someone else</a>
          </>
        )}
      </p>
    </main>
  );
}

async function boot(): Promise<void> {
  if (window.location.pathname.startsWith('/explorer')) {
    root.render(
      <StrictMode>
        <Suspense fallback={<Loading />}>
          <ExplorerPage />
        </Suspense>
      </StrictMode>,
    );
    return;
  }
  adoptHashRoute();
  root.render(<Loading />);
  loaded = await loadConfig();
  const session = await signIn(loaded);
  if (!session) return;
  root.render(
    <StrictMode>
      <SessionContext.Provider value={session}>
        <App />
      </SessionContext.Provider>
    </StrictMode>,
  );
}

boot().catch((error: unknown) => root.render(<Failure error={error} />));
