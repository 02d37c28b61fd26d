/**
 * The correlation view in a real headless Chromium against the real server (auth on, demo CMDB):
 * an evidence path with an observed call (`OBSERVED_CALL`, issue 13: the callee explains its
 * observer where the CMDB lacks the edge) is shown as an observed call — in the candidate's
 * evidence list and on the map — never as a relationship of the CMDB, while stored steps keep their
 * relationship type.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OBSERVED_CALL as ENGINE_OBSERVED_CALL } from '../../engine/correlation/observed.ts';
import { OBSERVED_CALL, type CorrelationAnswer } from '../../viz/src/api.ts';
import { openPage, startUiServer, type UiServer } from './browser-harness.ts';

// The demo CMDB records no dependency of app-recommendations on app-catalog; monitoring saw the call slow.
const CALLER = 'app-recommendations';
const CALLEE = 'app-catalog';

let ui: UiServer;
let answer: CorrelationAnswer;
const shots = mkdtempSync(join(tmpdir(), 'cmdb-correlation-shots-'));

beforeAll(async () => {
  ui = await startUiServer();
  await ui.api('engineer', 'POST', '/incidents', { title: 'recommendations slow', cis: [CALLER], signal: 'latency' });
  await ui.api('engineer', 'POST', '/incidents', { title: 'catalog calls slow', cis: [CALLEE], signal: 'latency', observedBy: [CALLER] });
  answer = await ui.api<CorrelationAnswer>('viewer', 'POST', '/correlate', {});
});
afterAll(async () => {
  await ui?.close();
  rmSync(shots, { recursive: true, force: true });
});

interface DrawnEdge {
  source: string;
  target: string;
  type: string;
  classes: string[];
  label: string;
  lineStyle: string;
}

/** The edges cytoscape drew in `selector`, with the label and line style the stylesheet gave them. */
async function drawnEdges(page: import('playwright-core').Page, selector: string): Promise<DrawnEdge[]> {
  return page.evaluate((sel) => {
    type Edge = { data(k: string): string; classes(): string[]; style(k: string): string };
    const el = document.querySelector(sel) as unknown as { _cyreg: { cy: { edges(): { map<T>(f: (e: Edge) => T): T[] } } } };
    return el._cyreg.cy.edges().map((e) => ({
      source: e.data('source'),
      target: e.data('target'),
      type: e.data('type'),
      classes: e.classes(),
      label: e.style('label'),
      lineStyle: e.style('line-style'),
    }));
  }, selector);
}

describe('correlation view in Chromium', () => {
  it('names the observed-call step type as the engine does', () => {
    expect(OBSERVED_CALL).toBe(ENGINE_OBSERVED_CALL);
  });

  it('gets an answer whose best candidate explains the caller through an observed call (the premise of the page test)', () => {
    const group = answer.groups.find((g) => g.candidates[0]?.id === CALLEE);
    expect(group).toBeDefined();
    const path = group!.candidates[0]!.paths.find((p) => p.ci === CALLER);
    expect(path?.steps).toEqual([{ from: CALLER, type: OBSERVED_CALL, to: CALLEE }]);
  });

  it('shows the observed call as an observed call, not as a CMDB relationship, in the evidence list and on the map', async () => {
    const { page, errors, close } = await openPage(ui, 'viewer');
    try {
      await page.goto(`${ui.base}/correlation`);
      await page.waitForSelector(`[data-evidence="${CALLEE}"]`, { timeout: 20_000 });
      const gi = answer.groups.findIndex((g) => g.candidates[0]?.id === CALLEE);
      const map = `[data-testid=group-${gi}]`;
      await page.waitForFunction((sel) => (document.querySelector(sel) as unknown as { _cyreg?: unknown })?._cyreg !== undefined, map);
      await page.waitForTimeout(300);
      await page
        .locator('section.group')
        .nth(gi)
        .screenshot({ path: join(shots, 'observed-call.png') });
      if (process.env.CMDB_KEEP_SHOTS) await page.locator('section.group').nth(gi).screenshot({ path: process.env.CMDB_KEEP_SHOTS });

      // The incident list says who observed the callee's alert.
      const observedBy = page.locator('[data-observed-by]');
      await expect(observedBy.count()).resolves.toBe(1);
      expect(await observedBy.textContent()).toBe(`, observed by ${CALLER}`);
      expect(await page.locator('section.group li', { has: observedBy }).textContent()).toContain(`on ${CALLEE}, observed by ${CALLER}`);

      // The evidence list: the caller's path is one step, shown as an observed call with its explanation.
      const evidence = page.locator(`[data-evidence="${CALLEE}"] li`).filter({ hasText: CALLER });
      await expect(evidence.count()).resolves.toBe(1);
      const text = (await evidence.textContent())!;
      expect(text).toContain(`${CALLER} ⇢ observed call ⇢ ${CALLEE}`);
      expect(text).not.toContain(OBSERVED_CALL);
      const step = evidence.locator('[data-step=observed-call]');
      await expect(step.count()).resolves.toBe(1);
      expect(await step.textContent()).toBe('⇢ observed call ⇢');
      expect(await step.getAttribute('title')).toMatch(/^an observed call: .*not a relationship in the CMDB$/);
      expect(await evidence.locator('[data-step=relationship]').count()).toBe(0);

      // Walked against its direction (the caller as candidate, explaining the callee's alert), the arrows turn round.
      const group = answer.groups[gi]!;
      const back = group.candidates.find((c) => c.id === CALLER)?.paths.find((p) => p.ci === CALLEE);
      expect(back?.steps).toEqual([{ from: CALLER, type: OBSERVED_CALL, to: CALLEE }]);
      const backText = await page.locator(`[data-evidence="${CALLER}"] li`).filter({ hasText: 'observed call' }).textContent();
      expect(backText).toContain(`${CALLEE} ⇠ observed call ⇠ ${CALLER}`);

      // Stored steps elsewhere in the evidence keep their relationship type.
      const stored = answer.groups
        .flatMap((g) => g.candidates)
        .flatMap((c) => c.paths.slice(0, 5))
        .flatMap((p) => p.steps)
        .filter((s) => s.type !== OBSERVED_CALL);
      if (stored.length > 0) {
        const rel = page.locator('[data-step=relationship]').first();
        expect(await rel.textContent()).toMatch(/^(—[A-Z_]+→|←[A-Z_]+—)$/);
      }

      // The map: the observed call is drawn dashed and labelled as an observed call; no edge says OBSERVED_CALL.
      const edges = await drawnEdges(page, map);
      const observed = edges.filter((e) => e.source === CALLER && e.target === CALLEE);
      expect(observed).toHaveLength(1);
      expect(observed[0]).toMatchObject({ label: 'observed call', lineStyle: 'dashed' });
      expect(observed[0]!.classes).toContain('observed');
      expect(edges.filter((e) => e.label === OBSERVED_CALL)).toEqual([]);
      for (const e of edges.filter((x) => x !== observed[0])) {
        expect(e.lineStyle).toBe('solid');
        expect(e.classes).not.toContain('observed');
      }
      // The map legend says what the dashed line means.
      expect(await page.locator('section.group').nth(gi).textContent()).toMatch(/Dashed arrow: an observed call \(monitoring saw/);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
