// The /authorize checks, in order. The first two establish trust in the client and its redirect
// URI (their errors stay on our page); every later error goes back through the response mode,
// which is known once response_type and response_mode are read (errors before then use the
// default mode). The parameters the checks declare are the only ones a request keeps.
import { audienceCheck } from './audience.ts';
import type { AuthorizeCheck } from './check.ts';
import { clientCheck } from './client.ts';
import { lengthsCheck } from './lengths.ts';
import { pkceCheck } from './pkce.ts';
import { redirectUriCheck } from './redirect-uri.ts';
import { responseModeCheck } from './response-mode.ts';
import { grantAllowedCheck, responseTypeCheck } from './response-type.ts';
import { nonceCheck, promptCheck, scopeCheck, stateCheck } from './values.ts';

export const AUTHORIZE_CHECKS: readonly AuthorizeCheck[] = [
  clientCheck,
  redirectUriCheck,
  stateCheck,
  responseTypeCheck,
  responseModeCheck,
  grantAllowedCheck,
  nonceCheck,
  pkceCheck,
  lengthsCheck,
  scopeCheck,
  promptCheck,
  audienceCheck,
];

/** Every parameter some check reads: what a login transaction stores of a request. */
export const AUTHORIZE_PARAMS: ReadonlySet<string> = new Set(AUTHORIZE_CHECKS.flatMap((c) => c.params));
