/**
 * What every `cmdb` command is handed (instead of importing api/cli.ts, which is what made the
 * `cli ↔ commands ↔ serve` import loop): the global options, where output goes, and one way to
 * open the store — identified and authorised (./identity.ts) before the mirror is hydrated, and
 * never creating a store for a read. A command module exports `xCommand(ctx)` returning a
 * commander Command; api/cli.ts only registers them.
 *
 * Output: `print` for human text, `json` for `--json`, `warn` for notices on stderr. Errors are
 * thrown as typed engine errors; api/cli.ts renders them (text, or JSON with `--json`).
 */
import type { z } from 'zod';
import { Cmdb } from '../../engine/cmdb.ts';
import { InputError, NotFoundError, zodIssues } from '../../engine/errors.ts';
import { Registry } from '../../engine/model/registry.ts';
import { openStore } from '../../engine/store/open.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import type { MirrorLog } from '../../engine/mirror/mirror.ts';
import { createServices, loadServiceConfig, type Services } from '../services.ts';
import { authorize, resolvePrincipal, serviceActor, type CliPrincipal, type Need } from './identity.ts';
import { hydrationStages } from './progress.ts';

export interface GlobalOptions {
  store: string;
  registry?: string;
  token?: string;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress bars only on a terminal. */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** The OS user, for `local:<user>`. */
  user: string;
}

export interface OpenNeed extends Need {
  /** A write may create the store; a read refuses to (default: read). */
  write?: boolean;
  /** Progress bars while hydrating (default off). */
  bars?: boolean;
  /** Where the mirror logs a committed-events listener that threw (serve passes its pino logger). */
  log?: MirrorLog;
}

/** The record services a command works with, over one CMDB. */
/** The same wiring as the HTTP app (api/services.ts): one policy, priority matrix and SLA policy from the environment. */
export function cliServices(cmdb: Cmdb, env: NodeJS.ProcessEnv): Services {
  return createServices({ cmdb, ...loadServiceConfig(env) });
}
export type CliServices = Services;

export interface Session {
  cmdb: Cmdb;
  principal: CliPrincipal;
  /** `{ name, role }` for the record services. */
  actor: { name: string; role: string };
  services: CliServices;
}

export interface CliContextOptions {
  globals: () => GlobalOptions;
  io: CliIo;
  /** Replaces opening the store and hydrating (tests hand in an open Cmdb; it is not closed). */
  openCmdb?: () => Promise<Cmdb>;
}

export class CliContext {
  readonly io: CliIo;
  private readonly globalsOf: () => GlobalOptions;
  private readonly openCmdbOverride: (() => Promise<Cmdb>) | undefined;

  constructor(opts: CliContextOptions) {
    this.io = opts.io;
    this.globalsOf = opts.globals;
    this.openCmdbOverride = opts.openCmdb;
  }

  globals(): GlobalOptions {
    return this.globalsOf();
  }

  print(text: string): void {
    this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }

  json(value: unknown): void {
    this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  warn(text: string): void {
    this.io.stderr(`cmdb: ${text}\n`);
  }

  bars(json?: boolean): boolean {
    return !json && this.io.stderrIsTTY;
  }

  /** The token given with --token or CMDB_TOKEN (commander fills the option from the environment). */
  token(): string | undefined {
    return this.globals().token;
  }

  /**
   * Opens the configured store (initialised), identifies and authorises the caller, runs `fn`,
   * closes the store. A read never creates a store.
   */
  async withStore<T>(need: OpenNeed, fn: (store: GraphStore, principal: CliPrincipal) => Promise<T>): Promise<T> {
    const store = await this.openConfiguredStore(need);
    try {
      await store.init();
      const principal = await this.identify(store, need);
      return await fn(store, principal);
    } finally {
      await store.close();
    }
  }

  /** Like withStore, with the mirror hydrated and the record services wired. */
  async withCmdb<T>(need: OpenNeed, fn: (session: Session) => Promise<T>): Promise<T> {
    const { cmdb, principal, owned } = await this.openCmdb(need);
    try {
      return await fn({ cmdb, principal, actor: serviceActor(principal), services: cliServices(cmdb, this.io.env) });
    } finally {
      if (owned) await cmdb.close();
    }
  }

  /** Opens an identified, authorised CMDB; the caller closes it (serve keeps it open). */
  async openCmdb(need: OpenNeed): Promise<{ cmdb: Cmdb; principal: CliPrincipal; owned: boolean }> {
    if (this.openCmdbOverride) {
      const cmdb = await this.openCmdbOverride();
      return { cmdb, principal: await this.identify(cmdb.store, need), owned: false };
    }
    const registry = Registry.load(this.globals().registry);
    const store = await this.openConfiguredStore(need);
    let progress: ReturnType<typeof hydrationStages> | undefined;
    try {
      await store.init();
      const principal = await this.identify(store, need);
      // Totals per stage for the bars; only worth a count query when a bar is shown.
      const totals = need.bars ? await store.counts() : undefined;
      progress = hydrationStages(need.bars ?? false, totals);
      const cmdb = await Cmdb.open({ store, registry, onProgress: progress.onProgress, log: need.log });
      return { cmdb, principal, owned: true };
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    } finally {
      progress?.stop();
    }
  }

  private async identify(store: GraphStore, need: Need): Promise<CliPrincipal> {
    const principal = await resolvePrincipal(store, this.token(), this.io.user);
    authorize(principal, need);
    return principal;
  }

  private async openConfiguredStore(need: OpenNeed): Promise<GraphStore> {
    const { store: spec } = this.globals();
    try {
      return await openStore(spec, this.io.env, { create: need.write === true });
    } catch (err) {
      if (err instanceof NotFoundError) {
        const path = (err.details as { path?: string } | undefined)?.path;
        throw new NotFoundError(
          `${need.op}: no CMDB at "${path}" (--store / CMDB_STORE is "${spec}"${spec.includes('./') ? ', relative to the current folder' : ''}); create one with "cmdb import FILE" or "cmdb serve --demo", or point --store at an existing store`,
          err.details,
        );
      }
      throw err;
    }
  }
}

/**
 * Parses command-line input with the API's zod schema; a refusal names the field and the reason
 * (`change create: field "window.start": Invalid ISO datetime`) and keeps every issue in details.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, op: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error.issues);
  const first = issues[0];
  const field = first && first.path.length > 0 ? `field "${first.path.join('.')}"` : 'input';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new InputError(`${op}: ${field}: ${first?.message ?? 'invalid'}${more}`, issues);
}
