// Two small single-page applications, written as an Auth0 customer would write them, that the
// browser tests serve from their own HTTPS origin. Each loads an official SDK bundle and exposes a
// few functions on `window.app` for the test to drive; every call to Scopeward happens inside the
// page (cross-origin fetches, iframes, redirects), so CORS and web_message are exercised for real.
import { html, scriptJson, type SiteResponse } from './chromium.ts';

export interface SpaConfig {
  /** `localhost:PORT`, as given to the SDK. */
  domain: string;
  clientId: string;
  audience: string;
  scope: string;
  /** This page's own address (the registered callback). */
  redirectUri: string;
}

/** fetch of /api/v2/users/{id} with the page's token: {status, body} (body parsed when JSON). */
const API_CALL = `
async function api(method, userId, token, body) {
  const path = '/users/' + encodeURIComponent(userId);
  const headers = { authorization: 'Bearer ' + token };
  const hasBody = body !== undefined && body !== null;
  if (hasBody) headers['content-type'] = 'application/json';
  const res = await fetch('https://' + CONFIG.domain + '/api/v2' + path, { method, headers, body: hasBody ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json = text;
  try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
  return { status: res.status, body: json };
}
const plainError = (e) => ({ error: e && e.error, description: (e && (e.errorDescription || e.error_description || e.description)) || String(e && e.message || e) });
`;

/**
 * auth0-js (v10): WebAuth with the implicit grant (`token id_token`). On a return with a fragment
 * the page runs parseHash at once (which verifies the id_token against the tenant's JWKS).
 */
export function auth0JsPage(config: SpaConfig): SiteResponse {
  return html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>auth0-js SPA</title></head>
<body>
<h1>auth0-js SPA</h1>
<script src="/sdk/auth0.min.js"></script>
<script>
const CONFIG = ${scriptJson(config)};
${API_CALL}
const webAuth = new auth0.WebAuth({
  domain: CONFIG.domain,
  clientID: CONFIG.clientId,
  responseType: 'token id_token',
  audience: CONFIG.audience,
  scope: CONFIG.scope,
  redirectUri: CONFIG.redirectUri,
});
const settle = (resolve) => (err, result) => resolve(err ? { error: plainError(err) } : { result });
const parsed = location.hash.length > 1 ? new Promise((resolve) => webAuth.parseHash({ hash: location.hash }, settle(resolve))) : Promise.resolve(null);
window.app = {
  login: () => webAuth.authorize(),
  parsed: () => parsed,
  checkSession: () => new Promise((resolve) => webAuth.checkSession({}, settle(resolve))),
  api,
};
</script>
</body></html>
`);
}

/**
 * auth0-spa-js (v2): authorization code + PKCE with a redirect; on a return with `code` and `state`
 * the page completes it with handleRedirectCallback. Errors come back as {error, description}.
 */
export function spaJsPage(config: SpaConfig): SiteResponse {
  return html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>auth0-spa-js SPA</title></head>
<body>
<h1>auth0-spa-js SPA</h1>
<script src="/sdk/auth0-spa-js.production.js"></script>
<script>
const CONFIG = ${scriptJson(config)};
${API_CALL}
const attempt = (promise) => promise.then((result) => ({ result }), (e) => ({ error: plainError(e) }));
const ready = (async () => {
  const client = await auth0.createAuth0Client({
    domain: CONFIG.domain,
    clientId: CONFIG.clientId,
    authorizationParams: { redirect_uri: CONFIG.redirectUri, audience: CONFIG.audience, scope: CONFIG.scope },
  });
  const query = new URLSearchParams(location.search);
  let callback = null;
  if (query.has('code') && query.has('state')) {
    callback = await attempt(client.handleRedirectCallback());
    history.replaceState(null, '', location.pathname);
  }
  return { client, callback };
})();
window.app = {
  callback: () => ready.then((r) => r.callback),
  login: () => ready.then((r) => r.client.loginWithRedirect()),
  getUser: () => ready.then((r) => r.client.getUser()),
  isAuthenticated: () => ready.then((r) => r.client.isAuthenticated()),
  getTokenSilently: (options) => ready.then((r) => attempt(r.client.getTokenSilently(options))),
  logout: (returnTo) => ready.then((r) => r.client.logout({ logoutParams: { returnTo } })),
  api,
};
</script>
</body></html>
`);
}
