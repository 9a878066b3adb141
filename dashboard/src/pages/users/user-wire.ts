// A user as GET /api/v2/users answers (spec §3.5.4; src/management/user-view.ts): absent fields
// are left out, metadata only when non-empty. Every string here is user-controlled: render as text.

export interface UserIdentity {
  connection: string;
  user_id: string;
  provider: string;
  isSocial: boolean;
}

export interface User {
  user_id: string;
  email?: string;
  email_verified?: boolean;
  username?: string;
  name?: string;
  nickname?: string;
  given_name?: string;
  family_name?: string;
  phone_number?: string;
  picture?: string;
  created_at: string;
  updated_at: string;
  last_login?: string;
  last_ip?: string;
  logins_count?: number;
  blocked?: boolean;
  identities: UserIdentity[];
  user_metadata?: Record<string, unknown>;
  app_metadata?: Record<string, unknown>;
}

export interface UserPage {
  start: number;
  limit: number;
  length: number;
  total: number;
  users: User[];
}

/** The name a list shows: name, then nickname, email, username, the id. */
export function displayName(u: User): string {
  return u.name ?? u.nickname ?? u.email ?? u.username ?? u.user_id;
}

/** The default database connection every tenant has. */
export const DEFAULT_CONNECTION = 'Username-Password-Authentication';

/** Auth0 pages through the first 1000 results of a user or log search, no further (src/management/pagination.ts). */
export const SEARCH_WINDOW = 1000;
