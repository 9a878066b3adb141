// The /authorize checks, in order. The first two establish trust in the client and its redirect
// URI (their errors stay on our page); every later error goes back through the response mode.
import { audienceCheck } from './audience.ts';
import type { AuthorizeCheck } from './check.ts';
import { clientCheck } from './client.ts';
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
  scopeCheck,
  promptCheck,
  audienceCheck,
];
