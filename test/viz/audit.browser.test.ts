/**
 * The audit view in a real headless Chromium against the real server (auth on, demo CMDB): it shows
 * exactly the API's scores, severity counts and findings per rule; filters and the selected finding
 * live in the URL; a finding opens its CI in the explorer and, when it names a business service, on
 * the impact map with the path highlighted; roles without `audit:run` get neither runs nor a button.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRun } from '../../viz/src/api.ts';
import { evidencePath, findingServices } from '../../viz/src/audit-model.ts';
import { openPage, startUiServer, type UiServer } from './browser-harness.ts';

let ui: UiServer;
beforeAll(async () => {
  ui = await startUiServer();
});
afterAll(() => ui?.close());

async function latestRun(): Promise<AuditRun> {
  const { runs } = await ui.api<{ runs: { id: string }[] }>('auditor', 'GET', '/audit/runs');
  return ui.api<AuditRun>('auditor', 'GET', `/audit/runs/${runs[runs.length - 1]!.id}`);
}

describe('the audit view in Chromium', () => {
  it("runs an audit for an auditor and then shows exactly the run's scores, severity counts and findings per rule", async () => {
    const { page, errors, close } = await openPage(ui, 'auditor');
    try {
      await page.goto(`${ui.base}/audit`);
      await page.waitForSelector('[data-audit=empty]');
      await page.click('[data-action=run-audit]');
      await page.waitForSelector('[data-audit=ready]');
      const run = await latestRun();
      expect(run.findings.length).toBeGreaterThan(0);
      expect(new URL(page.url()).searchParams.get('run')).toBe(run.id);
      expect(await page.textContent('[data-count=findings]')).toBe(`${run.summary.findings} findings`);
      for (const s of ['error', 'warning', 'info'] as const)
        expect(await page.textContent(`[data-count=${s}]`)).toBe(`${run.summary.bySeverity[s]} ${s}`);
      for (const k of ['score', 'completeness', 'correctness', 'compliance'] as const)
        expect(await page.textContent(`[data-value=${k}]`)).toBe(`${run.summary[k]} %`);
      const shownRules = await page.locator('[data-rule]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
      expect(shownRules).toEqual(run.rules.filter((r) => r.findings > 0).map((r) => r.id));
      for (const r of run.rules.filter((x) => x.findings > 0)) {
        expect(await page.textContent(`[data-rule="${r.id}"] [data-rule-count=total]`)).toBe(`${r.findings} findings`);
        const listed = await page.locator(`[data-rule="${r.id}"] li[data-finding]`).evaluateAll((els) => els.map((e) => e.textContent));
        expect(listed).toEqual(run.findings.filter((f) => f.rule === r.id).map((f) => expect.stringContaining(f.message)));
      }
      expect(await page.locator('li[data-finding]').count()).toBe(run.findings.length);
      const classes = await page.locator('[data-audit=by-class] tr[data-class]').count();
      expect(classes).toBe(Object.keys(run.byClass).length);
      expect(await page.locator('.spark polyline').count()).toBe(4);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('keeps the severity filter and the selected finding in the URL, shows its evidence path, and opens its CI in the explorer', async () => {
    const run = await latestRun();
    const errorsOnly = run.findings.filter((f) => f.severity === 'error');
    const index = run.findings.findIndex((f) => f.severity === 'error' && f.ci !== undefined && evidencePath(f).length > 0);
    expect(index).toBeGreaterThanOrEqual(0);
    const finding = run.findings[index]!;
    const { page, errors, close } = await openPage(ui, 'auditor');
    try {
      await page.goto(`${ui.base}/audit?run=${run.id}&severity=error`);
      await page.waitForSelector('[data-audit=ready]');
      expect(await page.locator('li[data-finding]').count()).toBe(errorsOnly.length);
      expect(await page.inputValue('[data-filter=severity]')).toBe('error');
      await page.click(`li[data-finding="${index}"] button`);
      await page.waitForSelector('[data-audit=evidence]');
      expect(new URL(page.url()).searchParams.get('finding')).toBe(String(index));
      expect(new URL(page.url()).searchParams.get('severity')).toBe('error');
      const steps = await page.locator('[data-evidence=path] li').evaluateAll((els) => els.map((e) => e.textContent));
      expect(steps).toEqual(evidencePath(finding).map((s) => `${s.from} ${s.type} ${s.to}`));
      // reloading the URL restores the filter and the selection
      await page.reload();
      await page.waitForSelector('[data-audit=evidence]');
      expect(await page.locator('li[data-finding]').count()).toBe(errorsOnly.length);
      expect(await page.locator('li[data-finding].selected').getAttribute('data-finding')).toBe(String(index));
      const ci = await ui.api<{ name: string }>('auditor', 'GET', `/cis/${finding.ci}`);
      await page.click(`li[data-finding="${index}"] a`);
      await page.waitForURL((u) => u.pathname === `/cis/${finding.ci}`);
      await page.waitForSelector('.ci-head h2');
      expect(await page.textContent('.ci-head h2')).toBe(ci.name);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('opens a finding that names a business service on the impact map, with that service selected and its path highlighted', async () => {
    const run = await latestRun();
    const index = run.findings.findIndex((f) => f.ci !== undefined && findingServices(f).length > 0);
    expect(index).toBeGreaterThanOrEqual(0);
    const finding = run.findings[index]!;
    const service = findingServices(finding)[0]!;
    const { page, errors, close } = await openPage(ui, 'auditor');
    try {
      await page.goto(`${ui.base}/audit?run=${run.id}&finding=${index}`);
      await page.waitForSelector('[data-audit=evidence]');
      await page.click('[data-audit=evidence] a[href^="/impact"]');
      await page.waitForURL((u) => u.pathname === '/impact');
      const url = new URL(page.url());
      expect(url.searchParams.getAll('ci')).toEqual([finding.ci]);
      expect(url.searchParams.get('sel')).toBe(service);
      await page.waitForSelector('[data-why=via] li');
      const via = await page.locator('[data-why=via] li').count();
      expect(via).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('tells a viewer the audit needs the audit:run permission and offers no run button', async () => {
    const { page, close } = await openPage(ui, 'viewer');
    try {
      await page.goto(`${ui.base}/audit`);
      await page.waitForSelector('[data-audit=forbidden]');
      expect(await page.locator('[data-action=run-audit]').count()).toBe(0);
    } finally {
      await close();
    }
  });
});
