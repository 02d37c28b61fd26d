/**
 * `GET /me`: who the presented token is and what its role may do. The web UI reads it after login
 * to hide the actions a role may not take (the API refuses them anyway); scripts use it to check a
 * token. Any valid token may ask (permission `cmdb:read`, which every role has).
 */
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../route.ts';
import { ROLE_PERMISSIONS, PERMISSIONS } from '../permissions.ts';
import { EmptyQuery } from '../schemas.ts';

const Me = z.object({
  name: z.string(),
  role: z.string(),
  permissions: z.array(z.enum(Object.keys(PERMISSIONS) as [keyof typeof PERMISSIONS, ...(keyof typeof PERMISSIONS)[]])),
  auth: z.boolean().describe('false when the server runs with --no-auth'),
});

export function sessionRoutes(opts: { auth: boolean }): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/me',
      operationId: 'me',
      summary: 'The caller: token name, role and the permissions that role has',
      tag: 'session',
      permission: 'cmdb:read',
      query: EmptyQuery,
      responses: { 200: { description: 'the caller', schema: Me } },
      handler({ actor, res }) {
        res.json({ name: actor.name, role: actor.role, permissions: [...ROLE_PERMISSIONS[actor.role]], auth: opts.auth });
      },
    }),
  ];
}
