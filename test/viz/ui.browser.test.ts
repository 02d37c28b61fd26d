/**
 * The web UI in a real headless Chromium against the real server (auth on, demo CMDB): every view
 * loads without a console error; the impact map states the API's counts and draws every impacted
 * CI; clicking a CI highlights its path; a CAB member reviews and votes on a change; exports are a
 * real PNG and a valid SVG; data is rendered as text; the search works from the keyboard.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImpactAnswer } from '../../viz/src/api.ts';
import { clickNode, mapNodes, openPage, startUiServer, type UiServer } from './browser-harness.ts';

const PDUS = '/impact?ci=pdu-east-b3-a&ci=pdu-east-b3-b';
const XSS = '<img src=x onerror=alert(1)>';

let ui: UiServer;
let changeId: string;

beforeAll(async () => {
  ui = await startUiServer();
  await ui.api('engineer', 'POST', '/cis', { id: 'xss-app', class: 'Application', name: XSS, owner: 'team-xss' });
  await ui.api('engineer', 'POST', '/relationships', { type: 'RUNS_ON', from: 'xss-app', to: 'vm-checkout-01' });
  await ui.api('engineer', 'POST', '/incidents', { title: 'checkout errors', cis: ['app-checkout'] });
  await ui.api('engineer', 'POST', '/incidents', { title: 'vm unreachable', cis: ['vm-checkout-01'] });
  const change = await ui.api<{ id: string }>('engineer', 'POST', '/changes', {
    title: 'Firmware on PDU feed A of rack B3',
    targets: [{ ci: 'pdu-east-b3-a', effect: 'down' }],
    window: {
      start: new Date(Date.now() + 5 * 86400_000).toISOString(),
      end: new Date(Date.now() + 5 * 86400_000 + 4 * 3600_000).toISOString(),
    },
    implementationPlan: 'Flash firmware 7.1 on feed A',
    backoutPlan: 'Flash 7.0 back',
  });
  changeId = change.id;
  for (const to of ['submitted', 'assessed', 'cab_review']) await ui.api('engineer', 'POST', `/changes/${changeId}/transitions`, { to });
});
afterAll(() => ui?.close());

describe('web UI in Chromium', () => {
  it.each([
    ['the home page', '/', 'h1'],
    ['the impact map', PDUS, '.counts'],
    ['the explorer search', '/cis?q=checkout', '.results'],
    ['a CI in the explorer', '/cis/vm-checkout-01', '[data-list=spof]'],
    ['the change review', '/changes/:change', '[data-factor]'],
    ['the correlation view', '/correlation', '.candidates'],
    ['the audit view', '/audit', '[data-audit=empty], [data-audit=ready]'],
  ])('loads %s with no console error', async (_what, url, ready) => {
    const { page, errors, close } = await openPage(ui, 'admin');
    try {
      await page.goto(ui.base + url.replace(':change', changeId));
      await page.waitForSelector(ready, { timeout: 20_000 });
      await page.waitForTimeout(300);
      expect(await page.locator('[role=alert].error:not(:empty)').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('asks for a token, keeps it out of the URL, and opens the page it was asked for', async () => {
    const { page, errors, close } = await openPage(ui, null);
    try {
      await page.goto(ui.base + PDUS);
      await page.waitForSelector('form.login');
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('input[name=token]', 'cmdb_not-a-token');
      await page.click('form.login button');
      await page.waitForSelector('form.login [role=alert]:not(:empty)');
      await page.fill('input[name=token]', ui.tokens.viewer);
      await page.click('form.login button');
      await page.waitForSelector('.counts');
      expect(page.url()).toBe(ui.base + PDUS);
      expect(page.url()).not.toContain(ui.tokens.viewer);
      expect(await page.evaluate(() => sessionStorage.getItem('cmdb.token'))).toBe(ui.tokens.viewer);
      expect(await page.textContent('.user')).toContain('viewer-user (viewer)');
      // the two 401s of the failed logins (no token, then a bad one) are the only errors
      expect(errors.every((e) => e.includes('status of 401'))).toBe(true);
    } finally {
      await close();
    }
  });

  it("states the API's down / degraded / service counts and draws one node per impacted CI for both PDUs of rack B3", async () => {
    const api = await ui.api<ImpactAnswer>('viewer', 'POST', '/impact', {
      origins: [{ ci: 'pdu-east-b3-a' }, { ci: 'pdu-east-b3-b' }],
      group: 'auto',
    });
    const { page, errors, close } = await openPage(ui, 'viewer');
    try {
      await page.goto(ui.base + PDUS);
      await page.waitForSelector('[data-count=down]');
      expect(await page.textContent('[data-count=down]')).toBe(`${api.counts.down} down`);
      expect(await page.textContent('[data-count=degraded]')).toBe(`${api.counts.degraded} degraded`);
      expect(await page.textContent('[data-count=services]')).toBe(`${api.services.length} business services`);
      const nodes = await mapNodes(page);
      const drawn = new Set(nodes.filter((n) => n.members === 0).map((n) => n.id));
      const grouped = nodes.reduce((k, n) => k + n.members, 0);
      for (const o of api.origins) expect(drawn).toContain(o.id);
      for (const c of api.impacted) expect(drawn.has(c.id) || grouped > 0).toBe(true);
      expect(drawn.size - api.origins.length + grouped).toBe(api.impacted.length);
      expect(nodes.find((n) => n.id === 'pdu-east-b3-a')!.classes).toContain('origin');
      expect(nodes.find((n) => n.id === 'svc-order-fulfilment')!.classes).toEqual(expect.arrayContaining(['down', 'service']));
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('highlights the via path of a clicked CI, explains why, and keeps the selection in the URL', async () => {
    const api = await ui.api<ImpactAnswer>('viewer', 'POST', '/impact', { origins: [{ ci: 'pdu-east-b3-a' }, { ci: 'pdu-east-b3-b' }] });
    const target = api.impacted.find((c) => c.id === 'svc-checkout')!;
    const { page, errors, close } = await openPage(ui, 'viewer');
    try {
      await page.goto(ui.base + PDUS);
      await page.waitForSelector('[data-count=down]');
      await clickNode(page, 'svc-checkout');
      await page.waitForSelector('[data-why=via] li');
      const highlighted = await page.evaluate(() => {
        const cy = (
          document.querySelector('[data-testid=map]') as unknown as {
            _cyreg: { cy: { edges(s: string): { map(f: (e: { id(): string }) => string): string[] } } };
          }
        )._cyreg.cy;
        return cy.edges('.path').map((e) => e.id());
      });
      expect(highlighted.sort()).toEqual(target.via.map((s) => `${s.from}|${s.type}|${s.to}`).sort());
      expect(await page.locator('[data-why=via] li').count()).toBe(target.via.length);
      expect(await page.textContent('[data-why=state]')).toBe(`${target.state.toUpperCase()} at depth ${target.depth}`);
      expect(new URL(page.url()).searchParams.get('sel')).toBe('svc-checkout');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("shows a CAB member the risk factors and lets them vote; a viewer sees no vote buttons, a rejection without reason is refused with the API's reason", async () => {
    const assessment = await ui.api<{ assessment: { risk: { level: string; factors: { id: string }[] } } }>(
      'cab_member',
      'GET',
      `/changes/${changeId}/assessment`,
    );
    const viewer = await openPage(ui, 'viewer');
    try {
      await viewer.page.goto(`${ui.base}/changes/${changeId}`);
      await viewer.page.waitForSelector('[data-factor]');
      expect(await viewer.page.locator('[data-vote]').count()).toBe(0);
      expect(viewer.errors).toEqual([]);
    } finally {
      await viewer.close();
    }
    const manager = await openPage(ui, 'change_manager');
    try {
      await manager.page.goto(`${ui.base}/changes/${changeId}`);
      await manager.page.click('[data-vote=reject]');
      await manager.page.waitForSelector('.approvals [role=alert]:not(:empty)');
      expect(await manager.page.textContent('.approvals [role=alert]')).toMatch(/rejection needs a reason/);
      expect(manager.errors.every((e) => /status of (400|422)/.test(e))).toBe(true);
    } finally {
      await manager.close();
    }
    const { page, errors, close } = await openPage(ui, 'cab_member');
    try {
      await page.goto(`${ui.base}/changes/${changeId}`);
      await page.waitForSelector('[data-factor]');
      expect(await page.textContent('[data-risk-level]')).toBe(assessment.assessment.risk.level.toUpperCase());
      const factors = await page.locator('[data-factor]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-factor')));
      expect(factors).toEqual(assessment.assessment.risk.factors.map((f) => f.id));
      expect(await page.textContent('[data-factor=business_services]')).toContain('svc-checkout');
      await page.click('[data-vote=approve]');
      await page.waitForSelector('.votes li');
      expect(await page.textContent('.votes')).toContain('cab_member-user (cab_member) approved');
      expect(await page.textContent('[data-quorum=cab_member]')).toContain('1 of');
      const stored = await ui.api<{ approvals: { by: string; decision: string }[] }>('cab_member', 'GET', `/changes/${changeId}`);
      expect(stored.approvals).toEqual([expect.objectContaining({ by: 'cab_member-user', decision: 'approve' })]);
      // once voted, the member sees their vote instead of the buttons
      expect(await page.textContent('[data-my-vote]')).toBe('You voted: approve.');
      expect(await page.locator('[data-vote]').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("draws the server's counted groups when the map is over maxNodes, and expands one on click (kept in the URL)", async () => {
    const api = await ui.api<ImpactAnswer>('viewer', 'POST', '/impact', {
      origins: [{ ci: 'pdu-east-b3-a' }, { ci: 'pdu-east-b3-b' }],
      group: 'auto',
      maxNodes: 40,
    });
    const groups = api.groups!.groups;
    expect(groups.length).toBeGreaterThan(0);
    const { page, errors, close } = await openPage(ui, 'viewer');
    try {
      await page.goto(`${ui.base}${PDUS}&maxNodes=40`);
      await page.waitForSelector('[data-testid=map][data-rendered]');
      const nodes = await mapNodes(page);
      expect(nodes.length).toBe(api.groups!.visible);
      expect(
        nodes
          .filter((n) => n.members > 0)
          .map((n) => n.id)
          .sort(),
      ).toEqual(groups.map((g) => g.id).sort());
      expect(nodes.reduce((k, n) => k + Math.max(n.members, 1), 0)).toBe(api.origins.length + api.impacted.length);
      const biggest = [...groups].sort((a, b) => b.count - a.count)[0]!;
      await clickNode(page, biggest.id);
      await page.waitForFunction((id) => new URL(location.href).searchParams.getAll('expand').includes(id), biggest.id);
      await page.waitForFunction((member) => {
        const el = document.querySelector('[data-testid=map][data-rendered]') as unknown as {
          _cyreg?: { cy: { getElementById(i: string): { nonempty(): boolean } } };
        } | null;
        return el?._cyreg?.cy.getElementById(member).nonempty() ?? false;
      }, biggest.members[0]!);
      const after = new Set((await mapNodes(page)).map((n) => n.id));
      for (const m of biggest.members) expect(after).toContain(m);
      expect(after.has(biggest.id)).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("groups the map by the server's location and service of each CI, as compound nodes", async () => {
    const api = await ui.api<ImpactAnswer>('viewer', 'POST', '/impact', {
      origins: [{ ci: 'pdu-east-b3-a' }, { ci: 'pdu-east-b3-b' }],
      context: true,
    });
    const { page, errors, close } = await openPage(ui, 'viewer');
    try {
      for (const group of ['location', 'service'] as const) {
        await page.goto(`${ui.base}${PDUS}&group=${group}`);
        await page.waitForSelector('[data-testid=map][data-rendered]');
        const parents = await page.evaluate(() => {
          const cy = (
            document.querySelector('[data-testid=map]') as unknown as {
              _cyreg: { cy: { nodes(s: string): { map<T>(f: (n: { id(): string; data(k: string): unknown }) => T): T[] } } };
            }
          )._cyreg.cy;
          return Object.fromEntries(cy.nodes(':childless').map((n) => [n.id(), n.data('parent') as string | undefined]));
        });
        for (const c of [...api.origins, ...api.impacted]) {
          const expected = group === 'location' ? `location:${c.location ?? '-'}` : `service:${c.services![0] ?? '-'}`;
          expect(parents[c.id], c.id).toBe(expected);
        }
      }
      expect(new Set(api.impacted.map((c) => c.location)).size).toBeGreaterThan(1);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("pages a CI's history in the explorer: the first page, then the rest on 'Load more'", async () => {
    for (let i = 0; i < 24; i++) await ui.api('engineer', 'PATCH', '/cis/xss-app', { attributes: { build: i } });
    const all = await ui.api<{ items: { seq: number }[] }>('auditor', 'GET', '/cis/xss-app/history?limit=200');
    expect(all.items.length).toBeGreaterThan(20);
    const { page, errors, close } = await openPage(ui, 'auditor');
    try {
      await page.goto(`${ui.base}/cis/xss-app`);
      await page.waitForSelector('.history li');
      expect(await page.locator('.history li').count()).toBe(20);
      await page.click('[data-history=more]');
      await page.waitForFunction((n) => document.querySelectorAll('.history li').length === n, all.items.length);
      const seqs = await page.locator('.history li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
      expect(seqs).toEqual(all.items.map((e) => e.seq));
      expect(await page.locator('[data-history=more]').isHidden()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('hides what the state filter excludes and keeps the filter in the URL', async () => {
    const api = await ui.api<ImpactAnswer>('viewer', 'POST', '/impact', { origins: [{ ci: 'pdu-east-b3-a' }, { ci: 'pdu-east-b3-b' }] });
    const { page, errors, close } = await openPage(ui, 'viewer');
    try {
      await page.goto(`${ui.base}${PDUS}&state=down`);
      await page.waitForSelector('[data-testid=map][data-rendered]');
      const visible = await page.evaluate(() => {
        const cy = (
          document.querySelector('[data-testid=map]') as unknown as {
            _cyreg: { cy: { nodes(s: string): { map(f: (n: { id(): string }) => string): string[] } } };
          }
        )._cyreg.cy;
        return cy.nodes(':childless:visible').map((n) => n.id());
      });
      expect(visible.sort()).toEqual(
        [...api.origins.map((o) => o.id), ...api.impacted.filter((c) => c.state === 'down').map((c) => c.id)].sort(),
      );
      expect(await page.isChecked('input[name=state][value=degraded]')).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('asks the impact question once, before it knows who the caller is, and draws that answer', async () => {
    const { page, errors, close } = await openPage(ui, 'viewer');
    const asked: number[] = [];
    let meAnswered = Number.POSITIVE_INFINITY;
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/impact') asked.push(Date.now());
    });
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/me') meAnswered = Math.min(meAnswered, Date.now());
    });
    try {
      await page.goto(ui.base + PDUS);
      await page.waitForSelector('[data-testid=map][data-rendered]');
      expect(asked).toHaveLength(1);
      expect(asked[0]!).toBeLessThanOrEqual(meAnswered);
      expect(await page.textContent('[data-count=down]')).toMatch(/^\d+ down$/);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('keeps every filter in the URL when several are changed one after another', async () => {
    const { page, errors, close } = await openPage(ui, 'viewer');
    try {
      await page.goto(`${ui.base}${PDUS}`);
      await page.waitForSelector('[data-testid=map][data-rendered]');
      await page.uncheck('input[name=state][value=degraded]');
      const firstClass = await page.$eval('select[name=class] option', (o) => (o as HTMLOptionElement).value);
      await page.selectOption('select[name=class]', [firstClass]);
      await page.fill('input[name=find]', 'pdu');
      const url = new URL(await page.evaluate(() => location.href));
      expect(url.searchParams.get('state')).toBe('down');
      expect(url.searchParams.getAll('class')).toEqual([firstClass]);
      expect(url.searchParams.get('find')).toBe('pdu');
      expect(url.searchParams.getAll('ci').sort()).toEqual(['pdu-east-b3-a', 'pdu-east-b3-b']);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('creates a problem from a correlation group for an engineer, and offers no button to a viewer', async () => {
    const viewer = await openPage(ui, 'viewer');
    try {
      await viewer.page.goto(`${ui.base}/correlation`);
      await viewer.page.waitForSelector('.candidates');
      expect(await viewer.page.locator('[data-action=create-problem]').count()).toBe(0);
    } finally {
      await viewer.close();
    }
    const { page, errors, close } = await openPage(ui, 'engineer');
    try {
      await page.goto(`${ui.base}/correlation`);
      await page.waitForSelector('[data-action=create-problem]');
      await page.click('[data-action=create-problem]');
      await page.waitForSelector('section.group [role=status]:not(:empty)');
      const text = (await page.textContent('section.group [role=status]'))!;
      const id = /Problem (\S+) created/.exec(text)![1]!;
      const problem = await ui.api<{ id: string; rootCause: string; incidents: string[] }>('engineer', 'GET', `/problems/${id}`);
      expect(problem.incidents.length).toBeGreaterThanOrEqual(2);
      expect(text).toContain(`root cause ${problem.rootCause}`);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('exports the map as a non-empty PNG, a valid SVG and the JSON answer', async () => {
    const { page, errors, close } = await openPage(ui, 'viewer');
    try {
      await page.goto(ui.base + PDUS);
      await page.waitForSelector('[data-count=down]');
      const save = async (kind: string) => {
        const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export=${kind}]`)]);
        return readFileSync((await dl.path())!);
      };
      const png = await save('png');
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.length).toBeGreaterThan(10_000);
      const svg = (await save('svg')).toString('utf8');
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        return {
          root: doc.documentElement.nodeName,
          errors: doc.getElementsByTagName('parsererror').length,
          shapes: doc.querySelectorAll('path, rect, circle, polygon').length,
          text: doc.documentElement.textContent ?? '',
        };
      }, svg);
      expect(parsed).toMatchObject({ root: 'svg', errors: 0 });
      expect(parsed.shapes).toBeGreaterThan(50);
      const json = JSON.parse((await save('json')).toString('utf8')) as ImpactAnswer;
      expect(json.counts.down).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('renders a CI named <img src=x onerror=alert(1)> as text, in search results and in the explorer', async () => {
    const { page, errors, close } = await openPage(ui, 'engineer');
    try {
      await page.goto(`${ui.base}/cis?q=${encodeURIComponent('onerror')}`);
      await page.waitForSelector('.results a');
      expect(await page.textContent('.results a')).toBe(XSS);
      await page.click('.results a');
      await page.waitForSelector('.ci-head h2');
      expect(await page.textContent('.ci-head h2')).toBe(XSS);
      expect(await page.locator('img').count()).toBe(0);
      expect(errors).toEqual([]); // an alert() would have been recorded as a dialog
    } finally {
      await close();
    }
  });

  it('searches by exact id, id prefix, name, class and owner without a single failed request or console error', async () => {
    const { page, errors, close } = await openPage(ui, 'engineer');
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    try {
      await page.goto(`${ui.base}/`);
      await page.waitForSelector('#ci-search');
      const search = async (text: string) => {
        await page.fill('#ci-search', text);
        await page.waitForFunction((t) => {
          const ul = document.getElementById('ci-search-results')!;
          return ul.getAttribute('data-query') === t && !ul.hidden;
        }, text);
        return page.locator('#ci-search-results a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      };
      expect((await search('vm-checkout-01'))[0]).toBe('/cis/vm-checkout-01');
      expect(await search('vm-checkout-0')).toContain('/cis/vm-checkout-01');
      expect(await search('team-xss')).toContain('/cis/xss-app');
      expect(await search('no such thing at all')).toEqual([]);
      expect(await page.textContent('#ci-search-results')).toBe('no CI matches');
      expect(failed).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('searches from the keyboard: / focuses, arrows move through results, Enter opens, Escape closes', async () => {
    const { page, errors, close } = await openPage(ui, 'engineer');
    try {
      await page.goto(`${ui.base}/`);
      await page.waitForSelector('#ci-search');
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('ci-search');
      await page.keyboard.type('checkout');
      await page.waitForSelector('#ci-search-results a');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      const second = await page.evaluate(() => document.activeElement?.getAttribute('href'));
      expect(second).toMatch(/^\/cis\//);
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname === second);
      await page.waitForSelector('.ci-head h2');
      await page.keyboard.press('/');
      await page.keyboard.type('vm-checkout');
      await page.waitForSelector('#ci-search-results a');
      await page.keyboard.press('Escape');
      expect(await page.locator('#ci-search-results').isHidden()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
