// How a Management API route is declared: method, path, the scopes that admit it (beside the
// handler, docs/style.md §3), TypeBox schemas and a framework-free handler. register.ts mounts them.
import type { Static, TSchema } from 'typebox';
import type { AuditLog, RequestOrigin } from '../audit/audit-log.ts';
import type { Registry } from '../cache/registry.ts';
import type { RateLimiter } from '../ratelimit/limiter.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { Clock } from '../domain/clock.ts';
import type { PasswordHasher } from '../domain/passwords.ts';
import type { Tenant } from '../domain/tenant.ts';
import type { Storage } from '../storage/ports.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { VerifiedToken } from '../tokens/verify.ts';
import type { SecretField } from './secret-fields.ts';

export interface AuthContext {
  token: VerifiedToken;
  scopes: ReadonlySet<string>;
  /** `sub` of the token (`CLIENT_ID@clients` for client credentials). */
  subject: string | undefined;
  /** `azp` or `client_id` of the token. */
  clientId: string | undefined;
  has(scope: string): boolean;
}

export interface ManagementDeps {
  storage: Storage;
  registry: Registry;
  envelope: Envelope;
  clock: Clock;
  limiter: RateLimiter;
  audit: AuditLog;
  /** argon2id with bounded concurrency (one per app). */
  passwords: PasswordHasher;
  /** Refusals by reason (absent: off). */
  metrics?: Metrics;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** The body already serialized as JSON (from a cache); sent as is unless it names a secret field (secret-fields.ts). */
  json?: string;
  /** Content-Type for a reply without a body (Auth0 sends JSON's on some 204s). */
  contentType?: string;
  /** Sent as an HTTP Warning header and written to the server log. */
  warning?: string;
  /** Extra response headers (Cache-Control: no-store on an answer carrying a token). */
  headers?: Record<string, string>;
}

export interface RouteSchemas {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** Documentation of success bodies by status (OpenAPI); not used to serialize. */
  response?: Record<number, TSchema>;
}

type StaticOr<T, D> = T extends TSchema ? Static<T> : D;

export interface HandlerContext<S extends RouteSchemas> {
  tenant: Tenant;
  auth: AuthContext;
  /** Where the call came from (its tenant-log events carry it). */
  origin: RequestOrigin;
  params: StaticOr<S['params'], Record<string, never>>;
  query: StaticOr<S['querystring'], Record<string, never>>;
  body: StaticOr<S['body'], undefined>;
  deps: ManagementDeps;
  /** Set when the call was admitted only through a current-user scope (spec §4.2). */
  confined: Confinement | undefined;
  /**
   * The secrets this call's answer may carry (secret-fields.ts). register.ts removes any other
   * whatever the handler renders; handlers read it so as not to unseal what will not be sent, nor
   * cache a view with a secret in it.
   */
  secrets: ReadonlySet<SecretField>;
}

/** A call admitted only through current-user scopes: it may act on `userId` alone. */
export interface Confinement {
  /** The token's `sub`, exactly as signed. */
  userId: string;
  /** The token's `azp`: the application acting for the user. */
  clientId: string | undefined;
  /** The current-user scopes of the route that the token holds. */
  scopes: ReadonlySet<string>;
}

/** What a confined call may see of the request, for owner look-ups and body rules. */
export interface ConfinedRequest {
  tenant: Tenant;
  params: Record<string, string>;
  body: unknown;
  confined: Confinement;
  deps: ManagementDeps;
}

/**
 * Current-user access to a route (spec §4.2): the scopes that admit a token acting for a user,
 * and how the user acted on is found, so that register.ts can check it is the token's `sub`.
 */
export interface CurrentUserAccess {
  scopes: readonly string[];
  /**
   * `{ param }`: the path parameter holding the user id; `{ owner }`: looks up who owns the object
   * acted on (undefined when nothing is found); `'self'`: the call can only act on the caller.
   */
  user: { param: string } | { owner: (request: ConfinedRequest) => Promise<string | undefined> } | 'self';
  /** Further limits on a confined call's body (runs after validation); throws ManagementError. */
  checkBody?: (request: ConfinedRequest) => Promise<void>;
}

export interface ManagementRoute<S extends RouteSchemas = RouteSchemas> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under /api/v2, Fastify syntax (`/clients/:id`). */
  url: string;
  summary: string;
  tag: string;
  /** Scopes that admit the call: any one of them, or all with `scopeMode: 'all'`. */
  scopes: readonly string[];
  scopeMode?: 'any' | 'all';
  /** Scopes of user tokens that admit the call for the token's own user only (spec §4.2). */
  currentUser?: CurrentUserAccess;
  /**
   * Secrets the answer shows whatever the token's read scopes (Auth0: the new `client_secret` of
   * POST /clients and rotate-secret). Every other secret needs its read scope (secret-fields.ts).
   */
  reveals?: readonly SecretField[];
  /** A missing or null body counts as `{}` (always so for PATCH). */
  bodyOptional?: boolean;
  schema: S;
  handler(ctx: HandlerContext<S>): Promise<Reply>;
}

/** The application a call's token names (`azp` or `client_id`), as tenant-log events carry it. */
export function callerOf(auth: Pick<AuthContext, 'clientId'>): { clientId: string } | undefined {
  return auth.clientId === undefined ? undefined : { clientId: auth.clientId };
}

/** Declares a route with its handler typed from its schemas. */
export function route<S extends RouteSchemas>(definition: ManagementRoute<S>): ManagementRoute {
  return definition;
}
