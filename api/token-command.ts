/**
 * `cmdb token create | list | revoke`: API tokens in the configured store. The secret is printed
 * once, at creation; only its SHA-256 is stored. Managing tokens needs `tokens:manage`: an admin
 * token, or the local user (who holds the store, and must be able to make the first token).
 * Tokens need no graph, so the store is opened without hydrating a mirror.
 */
import { Command, Option } from 'commander';
import { ROLES, TokenService, type TokenInfo } from '../engine/auth/tokens.ts';
import type { CliContext } from './commands/context.ts';

export function tokenCommand(ctx: CliContext): Command {
  const cmd = new Command('token').description('manage API bearer tokens (stored hashed; the secret is shown once)');
  const line = (t: TokenInfo) =>
    `${t.id}  ${t.name.padEnd(20)} ${t.role.padEnd(15)} created ${t.createdAt} by ${t.createdBy}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}`;
  const withTokens = <T>(op: string, write: boolean, fn: (tokens: TokenService, actor: string) => Promise<T>): Promise<T> =>
    ctx.withStore({ op, permission: 'tokens:manage', write }, (store, principal) =>
      fn(new TokenService({ store, apply: (batch, c) => store.apply(batch, c) }), principal.name),
    );
  const print = (v: unknown) => ctx.json(v);
  const log = (t: string) => ctx.print(t);

  cmd
    .command('create')
    .description('create a token and print its secret (once)')
    .addOption(new Option('--role <role>', 'what the token may do').choices([...ROLES]).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what holds it (unique; recorded as the actor of its writes)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { role: string; name: string; json?: boolean }) => {
      const created = await withTokens('token create', true, (t, actor) => t.create({ name: opts.name, role: opts.role }, { actor }));
      if (opts.json) print(created);
      else {
        log(`created token ${created.info.id} "${created.info.name}" with role ${created.info.role}`);
        log(`secret (shown once, store it now): ${created.token}`);
        log(`use it as: Authorization: Bearer ${created.token}`);
      }
    });

  cmd
    .command('list')
    .description('list tokens (never their secrets), revoked ones included')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const items = await withTokens('token list', false, (t) => t.list());
      if (opts.json) print(items);
      else if (items.length === 0) log('no tokens');
      else for (const t of items) log(line(t));
    });

  cmd
    .command('revoke')
    .description('revoke a token by id or name (a running server notices within 30 s; at once for its own)')
    .argument('<token>', 'token id (tok_…) or name')
    .option('--json', 'machine-readable output')
    .action(async (idOrName: string, opts: { json?: boolean }) => {
      const revoked = await withTokens('token revoke', false, (t, actor) => t.revoke(idOrName, { actor }));
      if (opts.json) print(revoked);
      else log(`revoked ${line(revoked)}`);
    });
  return cmd;
}
