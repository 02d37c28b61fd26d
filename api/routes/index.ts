/**
 * The route table: every `/api/v1` route of the app, in one list. createApp mounts it, the OpenAPI
 * document and the permission table of docs/api.md are generated from it, and the route-walk test
 * iterates it — so a route cannot exist without a permission, schemas and documentation.
 */
import type { AnyRoute } from '../route.ts';
import { bulkRoutes, type BulkLimits } from './bulk.ts';
import { changeRoutes } from './changes.ts';
import { ciRoutes } from './cis.ts';
import type { RouteDeps } from './common.ts';
import { impactRoutes } from './impact.ts';
import { itsmRoutes } from './itsm.ts';
import { relationshipRoutes } from './relationships.ts';
import { releaseRoutes } from './releases.ts';

export type { BulkLimits, RouteDeps };

export function routeTable(deps: RouteDeps, limits?: BulkLimits): AnyRoute[] {
  return [
    ...ciRoutes(deps),
    ...relationshipRoutes(deps),
    ...bulkRoutes(deps, limits),
    ...impactRoutes(deps),
    ...changeRoutes(deps),
    ...releaseRoutes(deps),
    ...itsmRoutes(deps),
  ];
}
