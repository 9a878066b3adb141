// Upper bounds on the remaining parameters (T-OUT-08): an accepted request is kept as a login
// transaction while the user logs in, so nothing in it may be larger than the flow can use. The
// values here are validated elsewhere only as far as their syntax goes (a scope list, prompt
// words, a hint), or not at all (a code_challenge of an implicit request), which no length follows
// from. It runs after the PKCE check, whose own message is the more precise one for a code
// request. client_id, redirect_uri, state and audience carry their bounds in their own checks.
import { AUTHORIZE_TEXT, AuthorizeRedirectError } from '../../errors.ts';
import type { AuthorizeCheck } from './check.ts';

/** Characters. scope: the dashboard asks for every Management API scope (about 6,200). */
export const MAX_LENGTH: Readonly<Record<string, number>> = {
  response_type: 64,
  response_mode: 32,
  nonce: 512,
  scope: 8192,
  prompt: 64,
  max_age: 10,
  code_challenge: 128,
  code_challenge_method: 16,
  login_hint: 255,
  screen_hint: 32,
};

export const lengthsCheck: AuthorizeCheck = {
  name: 'lengths',
  params: Object.keys(MAX_LENGTH),
  run(ctx) {
    for (const [name, max] of Object.entries(MAX_LENGTH)) {
      const value = ctx.params.get(name);
      if (value !== undefined && value.length > max) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.tooLong(name, max));
    }
  },
};
