// The remaining parameters: state (echoed verbatim, bounded), nonce (required whenever an id_token
// comes from /authorize: OIDC implicit, D10, T-AZ-07), scope (RFC 6749 §3.3 syntax), prompt and
// max_age (OIDC Core §3.1.2.1), login_hint and screen_hint (shown on the login page).
import { parseScopeParam } from '../../../domain/scopes.ts';
import { AUTHORIZE_TEXT, AuthorizeRedirectError } from '../../errors.ts';
import type { AuthorizeCheck } from './check.ts';

const MAX_STATE = 4096;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

export const stateCheck: AuthorizeCheck = {
  name: 'state',
  params: ['state'],
  run(ctx) {
    const state = ctx.params.get('state');
    if (state !== undefined && state.length > MAX_STATE) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.tooLong('state', MAX_STATE));
    ctx.draft.state = state;
  },
};

export const nonceCheck: AuthorizeCheck = {
  name: 'nonce',
  params: ['nonce'],
  run(ctx) {
    const nonce = ctx.params.get('nonce');
    const type = ctx.draft.responseType!;
    if (nonce === undefined && type.includes('id_token') && !type.includes('code')) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.nonceRequired);
    ctx.draft.nonce = nonce;
  },
};

export const scopeCheck: AuthorizeCheck = {
  name: 'scope',
  params: ['scope'],
  run(ctx) {
    const raw = ctx.params.get('scope');
    const scope = raw === undefined ? [] : parseScopeParam(raw);
    if (!scope) throw new AuthorizeRedirectError('invalid_scope', AUTHORIZE_TEXT.invalidScope);
    ctx.draft.scope = [...new Set(scope)];
  },
};

export const promptCheck: AuthorizeCheck = {
  name: 'prompt',
  params: ['prompt', 'max_age', 'login_hint', 'screen_hint'],
  run(ctx) {
    const prompt = (ctx.params.get('prompt') ?? '').split(' ').filter(Boolean);
    for (const value of prompt) if (!PROMPTS.has(value)) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.invalidPrompt(value));
    if (prompt.includes('none') && prompt.length > 1) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.promptNoneWithOthers);
    ctx.draft.prompt = prompt;
    const maxAge = ctx.params.get('max_age');
    if (maxAge !== undefined && !/^\d{1,10}$/.test(maxAge)) throw new AuthorizeRedirectError('invalid_request', AUTHORIZE_TEXT.invalidMaxAge);
    ctx.draft.maxAge = maxAge === undefined ? undefined : Number(maxAge);
    ctx.draft.loginHint = ctx.params.get('login_hint');
    ctx.draft.screenHint = ctx.params.get('screen_hint');
  },
};
