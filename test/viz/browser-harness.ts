/**
 * What the browser tests share: the real server (createApp on an ephemeral port, auth ON, the demo
 * CMDB in a fresh SQLite file, one token per role), Debian's chromium driven by playwright-core,
 * and pages that record every console error and uncaught exception.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../api/app.ts';
import { DEMO_FILE } from '../../api/serve.ts';
import { TokenService, ROLES, type Role } from '../../engine/auth/tokens.ts';
import { Cmdb } from '../../engine/cmdb.ts';
import { importParsed, readImportFiles } from '../../engine/io/import.ts';
import { Registry } from '../../engine/model/registry.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { CHROMIUM } from './browser-setup.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface UiServer {
  base: string;
  cmdb: Cmdb;
  /** Raw bearer tokens by role. */
  tokens: Record<Role, string>;
  browser: Browser;
  /** Calls the API as a role (what the page should agree with). */
  api<T>(role: Role, method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startUiServer(): Promise<UiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-browser-'));
  const store = new SqliteStore(join(dir, 'demo.sqlite'));
  await store.init();
  const cmdb = await Cmdb.open({ store, registry: Registry.load() });
  await importParsed(cmdb, await readImportFiles([DEMO_FILE]), { actor: 'demo-loader' });
  const tokenService = new TokenService(cmdb);
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) tokens[role] = (await tokenService.create({ name: `${role}-user`, role }, { actor: 'seed' })).token;
  const app = createApp({ cmdb, tokens: tokenService, rateLimit: false });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    base,
    cmdb,
    tokens,
    browser,
    async api<T>(role: Role, method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await cmdb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  page: Page;
  /** Console errors and page exceptions seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser context (its own sessionStorage), logged in as `role` (token put in
 * sessionStorage before any script runs, as the login form does), or not logged in.
 */
export async function openPage(ui: UiServer, role: Role | null): Promise<WatchedPage> {
  const context = await ui.browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  if (role) await context.addInitScript((token: string) => sessionStorage.setItem('cmdb.token', token), ui.tokens[role]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, errors, close: () => context.close() };
}

/** Ids of the drawn (non-compound) nodes of the map in `selector`, read from cytoscape. */
export async function mapNodes(page: Page, selector = '[data-testid=map]'): Promise<{ id: string; classes: string[]; members: number }[]> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as unknown as {
      _cyreg: {
        cy: {
          nodes(): {
            filter(f: (n: { isParent(): boolean }) => boolean): {
              map<T>(f: (n: { id(): string; classes(): string[]; data(k: string): unknown }) => T): T[];
            };
          };
        };
      };
    };
    return el._cyreg.cy
      .nodes()
      .filter((n) => !n.isParent())
      .map((n) => ({ id: n.id(), classes: n.classes(), members: ((n.data('members') as string[] | undefined) ?? []).length }));
  }, selector);
}

/** Clicks the node `id` of the map where cytoscape drew it. */
export async function clickNode(page: Page, id: string, selector = '[data-testid=map]'): Promise<void> {
  const at = await page.evaluate(
    ([sel, nid]) => {
      const el = document.querySelector(sel!) as HTMLElement & {
        _cyreg: {
          cy: {
            getElementById(i: string): { renderedPosition(): { x: number; y: number } };
            center(e: unknown): void;
            zoom(z?: number): number;
          };
        };
      };
      const cy = el._cyreg.cy;
      const n = cy.getElementById(nid!);
      cy.zoom(1);
      cy.center(n);
      const r = n.renderedPosition();
      const box = el.getBoundingClientRect();
      return { x: box.x + r.x, y: box.y + r.y };
    },
    [selector, id] as const,
  );
  await page.mouse.click(at.x, at.y);
}
