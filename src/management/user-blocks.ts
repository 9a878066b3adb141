// /api/v2/user-blocks/{id}: the brute-force blocks of a user (an address locked out after too
// many failed logins), and lifting them. Blocks by an administrator (`blocked: true`) are not
// these: PATCH /users/{id} changes that flag.
import { Type } from 'typebox';
import { IdParam } from '../schemas/common.ts';
import { UserBlocks } from '../schemas/user.ts';
import { refuseAdmins } from './admin-guard.ts';
import { route } from './route.ts';
import { loadUser } from './users-rules.ts';

const TAG = 'User Blocks';

const list = route({
  method: 'GET',
  url: '/user-blocks/:id',
  summary: "Get a user's blocks",
  tag: TAG,
  scopes: ['read:users'],
  schema: {
    params: IdParam,
    querystring: Type.Object({ consider_brute_force_enablement: Type.Optional(Type.Boolean({ description: 'Accepted; brute-force protection is always on.' })) }),
    response: { 200: UserBlocks },
  },
  async handler(ctx) {
    const user = await loadUser(ctx.deps.storage, ctx.tenant.id, ctx.params.id);
    const blocked = await ctx.deps.storage.loginFailures.listBlocked(ctx.tenant.id, user.userId);
    // Auth0 names each block by the login identifier (email, else username) and the address.
    const identifier = user.email ?? user.username ?? user.userId;
    return { status: 200, body: { blocked_for: blocked.map((b) => ({ identifier, ip: b.ip })) } };
  },
});

const unblock = route({
  method: 'DELETE',
  url: '/user-blocks/:id',
  summary: 'Unblock a user',
  tag: TAG,
  scopes: ['update:users'],
  schema: { params: IdParam },
  async handler(ctx) {
    // An administrator's block is lifted only on the command line (`scopeward admins unblock`):
    // otherwise update:users could keep clearing the brute-force lock while guessing its password.
    await refuseAdmins(ctx.deps.storage, ctx.tenant.id, [ctx.params.id]);
    // Idempotent: a user with no blocks (or no user) is simply not blocked afterwards.
    await ctx.deps.storage.loginFailures.clearForUser(ctx.tenant.id, ctx.params.id);
    return { status: 204, contentType: 'application/json; charset=utf-8' };
  },
});

export const userBlockRoutes = [list, unblock];
