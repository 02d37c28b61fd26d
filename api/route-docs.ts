/**
 * The generated parts of docs/api.md: the roles × permissions table (api/permissions.ts) and the
 * routes × roles table (the route table). They sit between markers in the document; `npm run
 * docs:api` rewrites them and test/api/docs.test.ts fails when the committed copy differs, so the
 * documentation cannot disagree with what the server enforces.
 */
import type { Cmdb } from '../engine/cmdb.ts';
import type { AnyRoute } from './route.ts';
import { can, permissionTable, ROLES } from './permissions.ts';
import { routeTable } from './routes/index.ts';
import type { Services } from './services.ts';
import type { TokenService } from '../engine/auth/tokens.ts';

export const MARKERS = {
  permissions: ['<!-- generated:permissions (npm run docs:api) -->', '<!-- /generated:permissions -->'],
  routes: ['<!-- generated:routes (npm run docs:api) -->', '<!-- /generated:routes -->'],
} as const;

/**
 * The route table's declarations only. Route modules read their services when a request comes,
 * never while declaring, so empty dependencies are enough to list them.
 */
export function declaredRoutes(): AnyRoute[] {
  return routeTable({ cmdb: {} as Cmdb, tokens: {} as TokenService, services: {} as Services });
}

/** One row per route: method, path, permission, a ✓ per role that may call it, summary. */
export function routeMatrix(routes: readonly AnyRoute[]): string {
  const head = `| method | path | permission | ${ROLES.join(' | ')} | what it does |\n| --- | --- | --- | ${ROLES.map(() => ':---:').join(' | ')} | --- |`;
  const rows = routes.map((r) => {
    const path = `\`/api/v1${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}\``;
    const perm = r.permission === null ? '—' : `\`${r.permission}\``;
    const roles = ROLES.map((role) => (r.permission === null || can(role, r.permission) ? '✓' : ''));
    return `| ${r.method.toUpperCase()} | ${path} | ${perm} | ${roles.join(' | ')} | ${r.summary.replace(/\|/g, '\\|')} |`;
  });
  return [head, ...rows].join('\n');
}

/** The generated sections as they must appear in docs/api.md. */
export function generatedSections(routes: readonly AnyRoute[] = declaredRoutes()): Record<keyof typeof MARKERS, string> {
  return {
    permissions: `${MARKERS.permissions[0]}\n${permissionTable()}\n${MARKERS.permissions[1]}`,
    routes: `${MARKERS.routes[0]}\n${routeMatrix(routes)}\n${MARKERS.routes[1]}`,
  };
}

/** `doc` with its generated sections replaced by the current ones. */
export function rewriteDoc(doc: string): string {
  let out = doc;
  for (const [key, section] of Object.entries(generatedSections()) as [keyof typeof MARKERS, string][]) {
    const [start, end] = MARKERS[key];
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs/api.md: markers of the ${key} table are missing`);
    out = out.slice(0, a) + section + out.slice(b + end.length);
  }
  return out;
}
