/**
 * Roles and permissions: the one table every route's `permission` is checked against, and the
 * source of the table in docs/api.md. Permissions are coarse on purpose — one per kind of act an
 * ITSM organisation separates (read, write the CMDB, bulk import, bulk export, read the audit
 * trail, manage changes, approve changes, declare windows, work incidents, run audits, manage
 * tokens). Route permissions are the first gate; the change policy may narrow further (voting
 * roles per risk level, separation of duties) but never widen what a role's permissions allow.
 */
import { ROLES, type Role } from '../engine/auth/tokens.ts';

export const PERMISSIONS = {
  'cmdb:read':
    'read CIs, relationships, neighbours, impact and the registry; read change, release, incident, problem, article and SLA records; run correlation',
  'cmdb:write': 'create, update and delete CIs and relationships',
  'cmdb:import': 'bulk import (atomic, merges into the CMDB)',
  'cmdb:export': 'bulk export of the whole CMDB',
  'history:read': 'read the event history (status accounting, before / after with actors) of CIs, relationships and changes',
  'changes:write': 'create, edit, assess and progress change requests; bundle them into releases',
  'changes:approve': 'vote (approve or reject) on changes at CAB — never on one the caller requested',
  'windows:write': 'declare freeze and maintenance windows',
  'itsm:write': 'log and progress incidents, problems and knowledge articles (correlation itself is a read)',
  'audit:run': 'run configuration audits, read their runs and reports, verify the event log',
  'audit:rules': 'replace the stored audit rule file',
  'tokens:manage': 'create, list and revoke API tokens',
} as const;
export type Permission = keyof typeof PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['cmdb:read'],
  engineer: ['cmdb:read', 'cmdb:write', 'cmdb:export', 'history:read', 'changes:write', 'itsm:write'],
  change_manager: [
    'cmdb:read',
    'cmdb:write',
    'cmdb:import',
    'cmdb:export',
    'history:read',
    'changes:write',
    'changes:approve',
    'windows:write',
    'itsm:write',
  ],
  cab_member: ['cmdb:read', 'history:read', 'changes:approve'],
  auditor: ['cmdb:read', 'cmdb:export', 'history:read', 'audit:run'],
  admin: Object.keys(PERMISSIONS) as Permission[],
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export { ROLES, type Role };

/** Markdown table (roles × permissions) for docs/api.md; kept generated so it cannot drift. */
export function permissionTable(): string {
  const perms = Object.keys(PERMISSIONS) as Permission[];
  const head = `| permission | ${ROLES.join(' | ')} | what it allows |\n| --- | ${ROLES.map(() => ':---:').join(' | ')} | --- |`;
  const rows = perms.map((p) => `| \`${p}\` | ${ROLES.map((r) => (can(r, p) ? '✓' : '')).join(' | ')} | ${PERMISSIONS[p]} |`);
  return [head, ...rows].join('\n');
}
