// What a test needs in the database before it starts, written straight to a TestServer's storage
// (as the Management API would make it, without HTTP): applications of every type, with or
// without a client grant, users, tenant settings. Every function returns only once the registry
// has settled, so the next request already sees what was written.
import { newClientData } from '../../src/management/client-view.ts';
import { newClientId, newClientSecret, newGrantId, newUserId } from '../../src/domain/ids.ts';
import { PasswordHasher } from '../../src/domain/passwords.ts';
import { sealClientSecret } from '../../src/domain/secret-locations.ts';
import type { ClientData } from '../../src/schemas/client.ts';
import type { UserRecord } from '../../src/storage/ports.ts';
import { blankUser } from '../storage/records.ts';
import type { TestServer } from './test-server.ts';

/** Auth0's app_type; 'non_interactive' is a machine-to-machine application. */
export type AppType = 'non_interactive' | 'spa' | 'regular_web' | 'native';

export interface AppOptions {
  /** 'spa' unless given. */
  type?: AppType;
  name?: string;
  /** An exact id and secret, where the value itself is the point of a test; minted otherwise. */
  clientId?: string;
  secret?: string;
  /** Interactive types default to https://app.example.com (/cb, the origin, /bye); machine ones to none. */
  callbacks?: string[];
  webOrigins?: string[];
  logoutUrls?: string[];
  grantTypes?: string[];
  refreshToken?: Record<string, unknown>;
  /** A client grant: the application may ask `audience` (default: the Management API) for `scope`. */
  grant?: { audience?: string; scope: string[] };
}

export interface SeededApp {
  clientId: string;
  /** Only for confidential applications (non_interactive, regular_web). */
  clientSecret?: string;
}

const CONFIDENTIAL: ReadonlySet<AppType> = new Set(['non_interactive', 'regular_web']);

/** An application of any type, with a client grant when `grant` is given. */
export async function seedApp(s: TestServer, options: AppOptions = {}): Promise<SeededApp> {
  const type = options.type ?? 'spa';
  const interactive = type !== 'non_interactive';
  const clientId = options.clientId ?? newClientId();
  const clientSecret = CONFIDENTIAL.has(type) ? (options.secret ?? newClientSecret()) : undefined;
  const now = new Date(s.clock.now()).toISOString();
  const data = newClientData(
    {
      name: options.name ?? (interactive ? 'My SPA' : 'test app'),
      app_type: type,
      ...(interactive && {
        callbacks: options.callbacks ?? ['https://app.example.com/cb'],
        web_origins: options.webOrigins ?? ['https://app.example.com'],
        allowed_logout_urls: options.logoutUrls ?? ['https://app.example.com/bye'],
      }),
      ...(options.grantTypes && { grant_types: options.grantTypes as ClientData['grant_types'] }),
      ...(options.refreshToken && { refresh_token: options.refreshToken }),
    },
    { clientId, tenantName: s.tenant.name },
  );
  await s.storage.clients.create({
    tenantId: s.tenant.id,
    clientId,
    data,
    ...(clientSecret ? sealClientSecret(s.envelope, s.tenant.id, clientId, clientSecret) : { secretSealed: null, secretMac: null }),
    createdAt: now,
    updatedAt: now,
  });
  if (options.grant) {
    await s.storage.grants.create({
      tenantId: s.tenant.id,
      id: newGrantId(),
      clientId,
      audience: options.grant.audience ?? s.tenant.managementAudience,
      subjectType: 'client',
      scope: options.grant.scope,
      extra: {},
      createdAt: now,
    });
  }
  await s.registry.settled();
  return { clientId, ...(clientSecret && { clientSecret }) };
}

export interface M2M {
  clientId: string;
  clientSecret: string;
}

export type M2MOptions = Pick<AppOptions, 'name' | 'clientId' | 'secret' | 'grantTypes'> & { audience?: string };

/** A machine-to-machine application granted `scopes` on `audience` (default: the Management API). */
export async function seedM2M(s: TestServer, scopes: string[], options: M2MOptions = {}): Promise<M2M> {
  const { audience, ...app } = options;
  const { clientId, clientSecret } = await seedApp(s, { ...app, type: 'non_interactive', grant: { audience, scope: scopes } });
  return { clientId, clientSecret: clientSecret! };
}

/** A user row (in the default database connection, nulls and zeros unless given): fast fixtures for search and paging. */
export async function seedUser(s: TestServer, fields: Partial<UserRecord> = {}): Promise<UserRecord> {
  const now = new Date(s.clock.now()).toISOString();
  const record: UserRecord = {
    tenantId: s.tenant.id,
    userId: newUserId(),
    connection: 'Username-Password-Authentication',
    ...blankUser(),
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  await s.storage.users.create(record);
  await s.registry.settled();
  return record;
}

export interface SeededUser {
  userId: string;
  email: string;
  password: string;
}

let hasher: PasswordHasher | undefined;

/** A user who can sign in with `email` and `password` (an argon2id hash; the profile a sign-up makes). */
export async function seedLoginUser(s: TestServer, email: string, password = 'Correct-Horse-7', extra: Partial<UserRecord> = {}): Promise<SeededUser> {
  hasher ??= new PasswordHasher();
  const record = await seedUser(s, {
    email: email.toLowerCase(),
    name: email,
    nickname: email.split('@')[0]!,
    picture: 'https://s.gravatar.com/avatar/x?s=480',
    passwordHash: await hasher.hash(password),
    ...extra,
  });
  return { userId: record.userId, email: record.email!, password };
}

/** Sets the tenant's default_audience (spec §3.5.7); requests see it once this returns. */
export async function setDefaultAudience(s: TestServer, audience: string | undefined): Promise<void> {
  const record = await s.storage.tenants.get(s.tenant.id);
  const settings = { ...record!.settings };
  if (audience === undefined) delete settings.default_audience;
  else settings.default_audience = audience;
  await s.storage.tenants.update(s.tenant.id, { settings });
  await s.registry.settled();
  await s.registry.reloadTenants();
}
