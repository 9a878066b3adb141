// Our pages: login and sign-up, the error page (never a redirect to an untrusted URI), and the two
// response-mode pages that hand a result to the application (form_post, web_message).
import { randomBytes } from 'node:crypto';
import { html, scriptLiteral, type Page } from './html.ts';
import { layout } from './layout.ts';

const newNonce = (): string => randomBytes(16).toString('base64');

export interface LoginPageInput {
  screen: 'login' | 'signup';
  /** The login transaction (`state` of /u/login). */
  transaction: string;
  tenantName: string;
  clientName: string;
  error?: string;
  username?: string;
  signupAllowed: boolean;
  /** Origin of the application's redirect URI: the form's answer redirects there. */
  returnOrigin: string | undefined;
  status?: number;
}

export function loginPage(input: LoginPageInput): Page {
  const nonce = newNonce();
  const signup = input.screen === 'signup';
  const other = signup ? 'login' : 'signup';
  const title = signup ? 'Sign up' : 'Log in';
  const body = layout(
    `${title} · ${input.tenantName}`,
    nonce,
    html`<h1>${title}</h1>
<p class="sub">${signup ? 'Create an account' : 'Log in'} to continue to <strong>${input.clientName}</strong>.</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="/u/${input.screen}" autocomplete="on">
<input type="hidden" name="state" value="${input.transaction}">
<label for="username">${signup ? 'Email' : 'Email or username'}</label>
<input id="username" name="username" type="${signup ? 'email' : 'text'}" autocomplete="username" required autofocus value="${input.username ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="${signup ? 'new-password' : 'current-password'}" required>
${signup ? html`<p class="hint">At least 8 characters, with 3 of: lower case, upper case, digits, symbols.</p>` : ''}
<button type="submit">${signup ? 'Continue' : 'Log in'}</button>
</form>
${
  input.signupAllowed
    ? html`<p class="alt">${signup ? 'Already have an account?' : 'No account yet?'} <a href="/u/${other}?state=${encodeURIComponent(input.transaction)}">${signup ? 'Log in' : 'Sign up'}</a></p>`
    : ''
}`,
  );
  return { status: input.status ?? 200, body, nonce, ...(input.returnOrigin && { formAction: [input.returnOrigin] }) };
}

export function errorPage(title: string, description: string, status: number): Page {
  const nonce = newNonce();
  const body = layout(title, nonce, html`<h1>${title}</h1><p class="sub">${description}</p>`);
  return { status, body, nonce };
}

export function loggedOutPage(): Page {
  const nonce = newNonce();
  return { status: 200, body: layout('Logged out', nonce, html`<h1>You are logged out</h1><p class="sub">You can close this window.</p>`), nonce };
}

/** response_mode=form_post (OAuth 2.0 Form Post Response Mode): posts the fields to the application. */
export function formPostPage(action: string, fields: [string, string][]): Page {
  const nonce = newNonce();
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Submit this form</title></head>
<body>
<form method="post" action="${action}">
${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>JavaScript is off: press the button to continue.</p><button type="submit">Continue</button></noscript>
</form>
<script nonce="${nonce}">document.forms[0].submit();</script>
</body></html>
`;
  return { status: 200, body, nonce, formAction: [new URL(action).origin] };
}

/**
 * response_mode=web_message (spec §0 row 9): posts {type: "authorization_response", response} to
 * the opener (popup) or parent (iframe), addressed to the application's origin only, so no other
 * window can read it. The page may be framed by that origin alone.
 */
export function webMessagePage(targetOrigin: string, response: Record<string, string>): Page {
  const nonce = newNonce();
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Authorization response</title></head>
<body>
<script nonce="${nonce}">
(function () {
  var target = window.opener || window.parent;
  target.postMessage({ type: "authorization_response", response: ${scriptLiteral(response)} }, ${scriptLiteral(targetOrigin)});
})();
</script>
</body></html>
`;
  return { status: 200, body, nonce, frameAncestor: targetOrigin };
}
