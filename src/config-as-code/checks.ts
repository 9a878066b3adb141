// The checks a Management API call would meet, run on every body an import will send before it
// sends the first one: the route's own schema (the same TypeBox definition, compiled by the same
// validator, worded the same) and the handler rules that need nothing but the body. The server
// still runs them all again on each call; running them here first is what lets a bad file change
// nothing.
import type { TSchema } from 'typebox';
import { compileValidator, validationMessage } from '../http/validation.ts';
import { checkManagementScopes } from '../management/client-grants.ts';
import { checkUrls } from '../management/clients.ts';
import { checkIdentifier, checkLifetimes } from '../management/resource-servers.ts';
import { checkSettings } from '../management/tenant-settings.ts';
import { ClientGrantCreate, ClientGrantUpdate } from '../schemas/client-grant.ts';
import { ClientCreate, ClientUpdate } from '../schemas/client.ts';
import { ResourceServerCreate, ResourceServerUpdate } from '../schemas/resource-server.ts';
import { TenantSettingsUpdate } from '../schemas/tenant-settings.ts';
import type { Item } from './tenant-file.ts';

const validators = new Map<TSchema, ReturnType<typeof compileValidator>>();

function schemaProblem(schema: TSchema, body: unknown): string | undefined {
  let validate = validators.get(schema);
  if (!validate) {
    validate = compileValidator(schema, 'body');
    validators.set(schema, validate);
  }
  return validate(body) ? undefined : validationMessage(validate.errors ?? [], 'body');
}

/** Runs a handler rule (it throws the Management API error it would answer with). */
function ruleProblem(rule: () => void): string | undefined {
  try {
    rule();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const first = (...found: (() => string | undefined)[]): string | undefined => {
  for (const f of found) {
    const problem = f();
    if (problem) return problem;
  }
  return undefined;
};

export const checkClientCreate = (body: Item) =>
  first(
    () => schemaProblem(ClientCreate, body),
    () => ruleProblem(() => checkUrls(body)),
  );

export const checkClientUpdate = (body: Item) =>
  first(
    () => schemaProblem(ClientUpdate, body),
    () => ruleProblem(() => checkUrls(body)),
  );

type Lifetimes = { token_lifetime: number; token_lifetime_for_web: number };
const lifetimes = (body: Item): Lifetimes | undefined =>
  typeof body.token_lifetime === 'number' && typeof body.token_lifetime_for_web === 'number' ? (body as unknown as Lifetimes) : undefined;

export const checkApiCreate = (body: Item, tenantDomain: string) =>
  first(
    () => schemaProblem(ResourceServerCreate, body),
    () => ruleProblem(() => checkIdentifier(tenantDomain, String(body.identifier))),
    () => {
      const both = lifetimes(body);
      return both && ruleProblem(() => checkLifetimes(both));
    },
  );

/** `merged`: the API as the update leaves it (lifetimes are checked together). */
export const checkApiUpdate = (body: Item, merged: Item) =>
  first(
    () => schemaProblem(ResourceServerUpdate, body),
    () => {
      // Lowering token_lifetime alone brings the browser lifetime down with it (the handler's rule).
      const both = body.token_lifetime_for_web === undefined ? undefined : lifetimes(merged);
      return both && ruleProblem(() => checkLifetimes(both));
    },
  );

export const checkGrantCreate = (body: Item, managementAudience: string) =>
  first(
    () => schemaProblem(ClientGrantCreate, body),
    () => managementScopesProblem(body, managementAudience),
  );

export const checkGrantUpdate = (body: Item, audience: unknown, managementAudience: string) =>
  first(
    () => schemaProblem(ClientGrantUpdate, body),
    () => managementScopesProblem({ ...body, audience }, managementAudience),
  );

/** Scopes granted on the Management API must be in its catalogue (checked after the schema, so `scope` is a string list). */
function managementScopesProblem(grant: Item, managementAudience: string): string | undefined {
  const scope = grant.scope;
  if (grant.audience !== managementAudience || !Array.isArray(scope)) return undefined;
  return ruleProblem(() => checkManagementScopes(scope as string[]));
}

export const checkTenantUpdate = (body: Item) =>
  first(
    () => schemaProblem(TenantSettingsUpdate, body),
    () => ruleProblem(() => checkSettings(body)),
  );
