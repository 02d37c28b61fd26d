/**
 * `cmdb token create | list | revoke`: API tokens in the configured store. The secret is printed
 * once, at creation; only its SHA-256 is stored.
 */
import { Command, Option } from 'commander';
import type { GraphStore } from '../engine/store/port.ts';
import { ROLES, TokenService, type TokenInfo } from '../engine/auth/tokens.ts';

/** `openStore` opens and initialises the configured store; tokens need no graph, so no hydration. */
export function tokenCommand(openStore: () => Promise<GraphStore>, print: (v: unknown) => void): Command {
  const cmd = new Command('token').description('manage API bearer tokens (stored hashed; the secret is shown once)');
  const actor = () => process.env.USER ?? 'cli';
  const line = (t: TokenInfo) => `${t.id}  ${t.name.padEnd(20)} ${t.role.padEnd(15)} created ${t.createdAt} by ${t.createdBy}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}`;
  const withTokens = async <T>(fn: (tokens: TokenService) => Promise<T>): Promise<T> => {
    const store = await openStore();
    try {
      return await fn(new TokenService({ store, apply: (batch, ctx) => store.apply(batch, ctx) }));
    } finally {
      await store.close();
    }
  };

  cmd
    .command('create')
    .description('create a token and print its secret (once)')
    .addOption(new Option('--role <role>', 'what the token may do').choices([...ROLES]).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what holds it (unique; recorded as the actor of its writes)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { role: string; name: string; json?: boolean }) => {
      const created = await withTokens((t) => t.create({ name: opts.name, role: opts.role }, { actor: actor() }));
      if (opts.json) print(created);
      else {
        console.log(`created token ${created.info.id} "${created.info.name}" with role ${created.info.role}`);
        console.log(`secret (shown once, store it now): ${created.token}`);
        console.log(`use it as: Authorization: Bearer ${created.token}`);
      }
    });

  cmd
    .command('list')
    .description('list tokens (never their secrets), revoked ones included')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const items = await withTokens((t) => t.list());
      if (opts.json) print(items);
      else if (items.length === 0) console.log('no tokens');
      else for (const t of items) console.log(line(t));
    });

  cmd
    .command('revoke')
    .description('revoke a token by id or name (a running server notices within 30 s; at once for its own)')
    .argument('<token>', 'token id (tok_…) or name')
    .option('--json', 'machine-readable output')
    .action(async (idOrName: string, opts: { json?: boolean }) => {
      const revoked = await withTokens((t) => t.revoke(idOrName, { actor: actor() }));
      if (opts.json) print(revoked);
      else console.log(`revoked ${line(revoked)}`);
    });
  return cmd;
}
