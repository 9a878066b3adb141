// The signed-in admin, the API client and the tenant, shared by every page through React context.
import { createContext, useContext } from 'react';
import type { ApiClient } from './api.ts';

export interface DashboardConfig {
  /** The tenant's domain, e.g. `localhost:8443`. */
  domain: string;
  /** The tenant's issuer, `https://DOMAIN/`. */
  issuer: string;
  /** The system dashboard application's client id. */
  client_id: string;
  /** The Management API identifier, `https://DOMAIN/api/v2/`. */
  audience: string;
  /** Every Management API scope; the dashboard asks for all of them. */
  scopes: string[];
}

export interface Session {
  config: DashboardConfig;
  api: ApiClient;
  /** The admin's email (from the id_token). */
  email: string;
  /** The scopes the dashboard token carries. */
  scopes: ReadonlySet<string>;
  /** The current access token (for the explorer, the debugger and "copy token"). */
  token: () => Promise<string>;
  logout: () => void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionContext.Provider>');
  return session;
}
