// Sign-up on our page (Universal Login's "Sign up" screen): a new user of the database connection,
// by the same rules as POST /api/v2/users (domain/users.ts, the connection's password policy),
// logged in straight after, as Auth0 does. Logged as `ss` / `fs`. Every well-formed attempt,
// successful or not, counts against the address's sign-up limit (Auth0's suspicious IP throttling).
import { PasswordBusy, passwordProblem } from '../../domain/passwords.ts';
import { isValidEmail, newDatabaseUser, requiresUsername, signupDisabled } from '../../domain/users.ts';
import { ipKey } from '../../ratelimit/limiter.ts';
import { UniqueViolation } from '../../storage/errors.ts';
import { ADDRESS_LIMIT_TEXT, admitAttempt } from './address-limits.ts';
import { busyResult, type Attempt, type LoginDeps, type LoginResult } from './login.ts';

export const SIGNUP_TEXT = {
  disabled: 'Sign-ups are disabled for this application.',
  needsUsername: 'This connection requires a username: ask an administrator to create your account.',
  invalidEmail: 'Enter a valid email address.',
  exists: 'The user already exists.',
  weakPassword: 'Password is too weak: use at least 8 characters, with 3 of lower case, upper case, digits and symbols.',
  longPassword: 'Password is too long.',
  busy: 'Too many sign-ups are being processed right now. Please try again in a moment.',
  busyHere: 'Too many sign-ups are being processed from your network right now. Please try again in a moment.',
} as const;

export async function attemptSignup(attempt: Attempt, deps: LoginDeps): Promise<LoginResult> {
  const { tenant, connection, client } = attempt;
  const email = attempt.username.trim().toLowerCase();
  const record = (type: 'fs' | 'limit_mu', description: string) =>
    deps.audit.record(tenant, attempt, {
      type,
      description,
      client,
      connection: connection.name,
      connection_id: connection.id,
      user_name: email.slice(0, 320),
    });
  const fail = (message: string): LoginResult => {
    record('fs', message);
    return { ok: false, message };
  };
  if (signupDisabled(connection)) return fail(SIGNUP_TEXT.disabled);
  if (requiresUsername(connection)) return fail(SIGNUP_TEXT.needsUsername);
  if (!isValidEmail(email)) return fail(SIGNUP_TEXT.invalidEmail);

  const source = ipKey(attempt.ip);
  const busy = deps.passwords.busyFor(source);
  if (busy) return busyResult(busy, { here: SIGNUP_TEXT.busyHere, server: SIGNUP_TEXT.busy });
  const admission = await admitAttempt(tenant, 'signup', attempt.ip, deps);
  if (!admission.allowed) return { ok: false, message: ADDRESS_LIMIT_TEXT.signup(admission.retryAfter), status: 429, retryAfter: admission.retryAfter };
  if (admission.last) record('limit_mu', ADDRESS_LIMIT_TEXT.blocked);

  const problem = passwordProblem(attempt.password);
  if (problem) return fail(problem === 'Password is too long' ? SIGNUP_TEXT.longPassword : SIGNUP_TEXT.weakPassword);
  if (await deps.storage.users.getByEmail(tenant.id, connection.name, email)) return fail(SIGNUP_TEXT.exists);

  let hash: string;
  try {
    hash = await deps.passwords.hash(attempt.password, source);
  } catch (error) {
    if (!(error instanceof PasswordBusy)) throw error;
    await admission.giveBack();
    return busyResult(error, { here: SIGNUP_TEXT.busyHere, server: SIGNUP_TEXT.busy });
  }
  const now = new Date(deps.clock.now()).toISOString();
  const user = newDatabaseUser(tenant.id, connection, { email }, hash, now);
  try {
    await deps.storage.users.create(user);
  } catch (error) {
    if (error instanceof UniqueViolation) return fail(SIGNUP_TEXT.exists);
    throw error;
  }
  await deps.storage.users.recordLogin(tenant.id, user.userId, now, attempt.ip);
  deps.audit.record(tenant, attempt, {
    type: 'ss',
    description: 'Successful signup',
    client,
    connection: connection.name,
    connection_id: connection.id,
    user_id: user.userId,
    user_name: email,
  });
  return { ok: true, user: { ...user, loginsCount: 1, lastLogin: now, lastIp: attempt.ip } };
}
