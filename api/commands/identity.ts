/**
 * Who a CLI command acts as (DESIGN.md "Interfaces": CLI writes act as a verified principal).
 *
 * - With a token (`--token` or `CMDB_TOKEN`): the token is verified against the token store of the
 *   store being written, exactly as the HTTP API verifies a bearer token; the command then has the
 *   token's role and its permissions from api/permissions.ts, and its writes are recorded under the
 *   token's name. An unknown, malformed or revoked token is refused — never silently ignored.
 * - Without a token: `local:<OS user>`. Whoever runs the CLI already holds the store (its file, or
 *   the Neo4j credentials), so refusing them plain writes would protect nothing; it would only make
 *   the event log say less. The local principal may therefore read, import, write CIs, log
 *   incidents, draft and move changes and manage tokens (this is how the first token is made) —
 *   but it has no role to vote with: votes and role-gated transitions (`→ approved`, `→ rejected`)
 *   need a token, so a CAB decision always names a verified member.
 */
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { ForbiddenError, InputError } from '../../engine/errors.ts';
import { TokenService, type Role } from '../../engine/auth/tokens.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { can, PERMISSIONS, type Permission } from '../permissions.ts';
import { UnauthorizedError } from '../http-errors.ts';

export interface CliPrincipal {
  /** Recorded as the actor of every write: the token's name, or `local:<user>`. */
  name: string;
  /** The token's role; null for the local principal. */
  role: Role | null;
  tokenId: string | null;
}

/** Everything but voting: the permissions of someone who already holds the store. */
const LOCAL_PERMISSIONS: readonly Permission[] = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => p !== 'changes:approve');

/**
 * The role the record services see for the local principal. Services check roles for writes
 * (e.g. the change policy's `roles.write`); `engineer` is the role of hands-on operational work,
 * and the CLI refuses everything that needs more (votes, approvals) before a service is called.
 */
export const LOCAL_SERVICE_ROLE: Role = 'engineer';

export function osUser(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to the environment.
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}

export function localPrincipal(user: string): CliPrincipal {
  return { name: `local:${user}`, role: null, tokenId: null };
}

/** Verifies `token` against the store's token records; no token → the local principal. */
export async function resolvePrincipal(store: GraphStore, token: string | undefined, user: string): Promise<CliPrincipal> {
  if (token === undefined || token === '') return localPrincipal(user);
  // Verification only reads; the backend's apply is never called.
  const tokens = new TokenService({ store, apply: (batch, ctx) => store.apply(batch, ctx) });
  const found = await tokens.verify(token.trim());
  if (!found)
    throw new UnauthorizedError(
      'token: unknown, malformed or revoked token (from --token or CMDB_TOKEN); unset it to act as your local user',
      { source: 'token' },
    );
  return { name: found.name, role: found.role, tokenId: found.id };
}

export interface Need {
  /** Names the operation in messages, e.g. `change approve`. */
  op: string;
  permission: Permission;
  /** Votes and role-gated transitions: refused to the local principal. */
  tokenRequired?: boolean;
}

/** The same permission check as over HTTP for a token; the local rules above without one. */
export function authorize(principal: CliPrincipal, need: Need): void {
  if (principal.role === null) {
    if (need.tokenRequired || !LOCAL_PERMISSIONS.includes(need.permission)) {
      throw new ForbiddenError(
        `${need.op}: needs a token — votes and approvals are cast by a verified principal, not by ${principal.name}; pass --token or set CMDB_TOKEN (create one with "cmdb token create")`,
        {
          principal: principal.name,
          permission: need.permission,
        },
      );
    }
    return;
  }
  if (!can(principal.role, need.permission)) {
    throw new ForbiddenError(
      `${need.op}: role "${principal.role}" of token "${principal.name}" does not have permission "${need.permission}"`,
      { role: principal.role, permission: need.permission, actor: principal.name },
    );
  }
}

/** `{ name, role }` as the record services take it. */
export function serviceActor(principal: CliPrincipal): { name: string; role: Role } {
  return { name: principal.name, role: principal.role ?? LOCAL_SERVICE_ROLE };
}

/**
 * `--as`, `--actor` and `--role` used to name the actor and role on the command line — anyone could
 * claim anyone. They stay as hidden options only to refuse them with a message saying what
 * replaced them, instead of commander's bare "unknown option".
 */
export function refuseSelfAssertedIdentity(cmd: Command): Command {
  for (const flag of ['as', 'actor', 'role']) cmd.addOption(new Option(`--${flag} <value>`).hideHelp());
  return cmd.hook('preAction', (_cmd, action) => {
    const opts = action.opts<Record<string, unknown>>();
    for (const flag of ['as', 'actor', 'role']) {
      if (opts[flag] !== undefined) {
        throw new InputError(
          `${[action.parent?.name(), action.name()].filter((n) => n && n !== 'cmdb').join(' ')}: --${flag} is no longer accepted: a command acts as the holder of --token / CMDB_TOKEN (with that token's role), or as your local user without one`,
          [{ path: [flag], code: 'retired_option', message: 'use --token or CMDB_TOKEN' }],
        );
      }
    }
  });
}
