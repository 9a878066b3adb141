// GET /api/v2/actions/actions: Scopeward has no Actions, so the list is always empty. Answering it
// (rather than refusing it) is what lets Auth0's Deploy CLI export and import the database
// connection, whose handler reads the tenant's actions to name custom password hashes (issue 12, E5).
import { Type } from 'typebox';
import { PageQuery } from '../schemas/common.ts';
import { route } from './route.ts';

const list = route({
  method: 'GET',
  url: '/actions/actions',
  summary: 'Get actions (always none: Scopeward has no Actions)',
  tag: 'Actions',
  scopes: ['read:actions'],
  schema: {
    querystring: Type.Object({
      ...PageQuery,
      trigger_id: Type.Optional(Type.String({ maxLength: 200 })),
      action_name: Type.Optional(Type.String({ maxLength: 200 })),
      deployed: Type.Optional(Type.Boolean()),
      installed: Type.Optional(Type.Boolean()),
    }),
    response: {
      200: Type.Object({ actions: Type.Array(Type.Object({})), total: Type.Integer(), page: Type.Integer(), per_page: Type.Integer() }, { description: "Auth0's paged shape, always empty." }),
    },
  },
  async handler(ctx) {
    return { status: 200, body: { actions: [], total: 0, page: ctx.query.page ?? 0, per_page: ctx.query.per_page ?? 50 } };
  },
});

export const actionRoutes = [list];
