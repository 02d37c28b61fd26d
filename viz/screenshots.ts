/**
 * `node bin/run-ts.js viz/screenshots.ts` (ONLY=impact for one): the README's screenshots, taken
 * from the real server on the demo CMDB (the browser tests' harness: auth on, one token per role)
 * with a stored audit run, two incidents and a change in CAB review, at 1280×800 CSS pixels scaled
 * 0.7 so the PNGs stay small. Look at them before committing.
 */
import { startUiServer } from '../test/viz/browser-harness.ts';
const ui = await startUiServer();
try {
  await ui.api('auditor', 'POST', '/audit/runs', {});
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
  for (const to of ['submitted', 'assessed', 'cab_review']) await ui.api('engineer', 'POST', `/changes/${change.id}/transitions`, { to });
  const shots: [string, string, string, string][] = [
    ['impact', 'viewer', '/impact?ci=pdu-east-b3-a&ci=pdu-east-b3-b&sel=svc-checkout', '[data-testid=map][data-rendered]'],
    ['change-review', 'cab_member', `/changes/${change.id}`, '[data-factor]'],
    ['explorer', 'auditor', '/cis/vm-checkout-01', '[data-list=spof]'],
    ['correlation', 'engineer', '/correlation', '.candidates'],
    ['audit', 'auditor', '/audit?finding=10', '[data-audit=evidence]'],
  ];
  for (const [name, role, url, ready] of shots.filter((x) => !process.env.ONLY || x[0] === process.env.ONLY)) {
    const context = await ui.browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 0.7 });
    await context.addInitScript((token: string) => sessionStorage.setItem('cmdb.token', token), ui.tokens[role as 'viewer']);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const close = () => context.close();
    await page.goto(ui.base + url);
    await page.waitForSelector(ready, { timeout: 60_000 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: `docs/screenshots/${name}.png` });
    console.log(name, errors);
    await close();
  }
} finally {
  await ui.close();
}
