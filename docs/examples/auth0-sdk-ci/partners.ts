// The application code under test: onboarding a partner creates an Auth0 machine-to-machine
// application and grants it scopes on the Orders API, through the official `auth0` SDK. Nothing
// here knows about Scopeward: in production AUTH0_DOMAIN names the Auth0 tenant.
import { ManagementClient } from 'auth0';

export const ORDERS_API = 'https://orders.example.com/';

export function managementClient(env: NodeJS.ProcessEnv = process.env): ManagementClient {
  const { AUTH0_DOMAIN: domain, AUTH0_CLIENT_ID: clientId, AUTH0_CLIENT_SECRET: clientSecret } = env;
  if (!domain || !clientId || !clientSecret) throw new Error('set AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET');
  return new ManagementClient({ domain, clientId, clientSecret });
}

export interface Partner {
  clientId: string;
  clientSecret: string;
}

export async function onboardPartner(mgmt: ManagementClient, name: string, scopes: string[]): Promise<Partner> {
  const app = await mgmt.clients.create({ name: `Partner: ${name}`, app_type: 'non_interactive' });
  await mgmt.clientGrants.create({ client_id: app.client_id!, audience: ORDERS_API, scope: scopes });
  return { clientId: app.client_id!, clientSecret: app.client_secret! };
}

export async function partnerNames(mgmt: ManagementClient): Promise<string[]> {
  const names: string[] = [];
  for await (const app of await mgmt.clients.list({ per_page: 50 })) {
    if (app.name?.startsWith('Partner: ')) names.push(app.name.slice('Partner: '.length));
  }
  return names.sort();
}
