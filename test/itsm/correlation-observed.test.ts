/**
 * The pair reading of an observed alert (issue 13): an incident on B with `observedBy: [A]` says
 * "A's calls to B got slow". Either end may be the cause: the observer explains what it saw, the
 * callee explains its observer's slowness (also where the CMDB lacks the A → B edge), and B's
 * own-incident credit shrinks when A saw its other callees slow too. Then the boundaries: the
 * HTTP body, the CLI file and a stored incident (real SQLite) carry `observedBy`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { correlate, type CorrelationIncident, type CorrelationResult } from '../../engine/correlation/index.ts';
import { OBSERVED_CALL, readPairs } from '../../engine/correlation/observed.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { CorrelationService } from '../../engine/incidents/correlation-service.ts';
import { CorrelateFile } from '../../api/commands/itsm.ts';
import { api, apiFixture } from '../api/harness.ts';
import { at, graph, indexOf, registry } from './helpers.ts';

// frontend → checkout → cart, payment, shipping, email; frontend → cart, ads; every service on its own host.
const shop = graph(
  {
    frontend: 'ApplicationService',
    checkout: 'ApplicationService',
    cart: 'ApplicationService',
    payment: 'ApplicationService',
    shipping: 'ApplicationService',
    email: 'ApplicationService',
    ads: 'ApplicationService',
    h1: 'Server',
    h2: 'Server',
    h3: 'Server',
  },
  [
    ['frontend', 'DEPENDS_ON', 'checkout'],
    ['frontend', 'DEPENDS_ON', 'cart'],
    ['frontend', 'DEPENDS_ON', 'ads'],
    ['checkout', 'DEPENDS_ON', 'cart'],
    ['checkout', 'DEPENDS_ON', 'payment'],
    ['checkout', 'DEPENDS_ON', 'shipping'],
    ['checkout', 'DEPENDS_ON', 'email'],
    ['frontend', 'RUNS_ON', 'h1'],
    ['checkout', 'RUNS_ON', 'h1'],
    ['cart', 'RUNS_ON', 'h2'],
    ['payment', 'RUNS_ON', 'h2'],
    ['shipping', 'RUNS_ON', 'h3'],
    ['email', 'RUNS_ON', 'h3'],
    ['ads', 'RUNS_ON', 'h3'],
  ],
);
const shopIndex = indexOf(shop);
// The same shop as an incomplete CMDB knows it: frontend's call to ads is not recorded.
const missing = graph(
  { frontend: 'ApplicationService', ads: 'ApplicationService', cart: 'ApplicationService', h1: 'Server', h3: 'Server' },
  [
    ['frontend', 'DEPENDS_ON', 'cart'],
    ['frontend', 'RUNS_ON', 'h1'],
    ['ads', 'RUNS_ON', 'h3'],
  ],
);
const missingIndex = indexOf(missing);

const seen = (id: string, ci: string, by: string[], minutes = 0, extra: Partial<CorrelationIncident> = {}): CorrelationIncident => ({
  id,
  cis: [ci],
  openedAt: at(minutes),
  observedBy: by,
  signal: 'latency',
  ...extra,
});
const own = (id: string, ci: string, minutes = 0, extra: Partial<CorrelationIncident> = {}): CorrelationIncident => ({
  id,
  cis: [ci],
  openedAt: at(minutes),
  signal: 'latency',
  ...extra,
});
/** The answer without its work counters (they depend on what earlier calls memoised on the index). */
const answer = ({ stats: _, ...r }: CorrelationResult) => r;
const first = (r: CorrelationResult) => r.groups[0]!.candidates[0]!;
const candidate = (r: CorrelationResult, id: string) => r.groups.flatMap((g) => g.candidates).find((c) => c.id === id);
const ranked = (r: CorrelationResult) => [...new Set(r.groups.flatMap((g) => g.candidates.map((c) => c.id)))];

describe('the pair reading of observed alerts', () => {
  it('reads incidents without observers, or with an empty list, exactly as before', () => {
    const plain = [own('A', 'cart', 0), own('B', 'payment', 1), own('C', 'checkout', 2)];
    const empty = plain.map((i) => ({ ...i, observedBy: [] }));
    expect(answer(correlate(shopIndex, empty, { registry }))).toEqual(answer(correlate(shopIndex, plain, { registry })));
    expect(readPairs([{ nodes: [1], observers: [] }])).toBeUndefined();
  });

  it('ranks first the caller that saw most of its callees slow: a fault at the caller slows every call it makes', () => {
    const incidents = [
      seen('A', 'cart', ['checkout'], 0),
      seen('B', 'payment', ['checkout'], 1),
      seen('C', 'shipping', ['checkout'], 1),
      seen('D', 'email', ['checkout'], 2),
    ];
    const r = correlate(shopIndex, incidents, { registry });
    expect(first(r).id).toBe('checkout');
    expect(first(r).explains).toEqual(['A', 'B', 'C', 'D']);
    // Read as four alerts on the callees alone, the caller is no candidate at all.
    const plain = correlate(
      shopIndex,
      incidents.map(({ observedBy: _, ...i }) => i),
      { registry },
    );
    expect(ranked(plain)).not.toContain('checkout');
  });

  it('keeps the callee first when several callers saw it slow: a fault at the callee slows every call into it', () => {
    const r = correlate(shopIndex, [seen('A', 'cart', ['checkout', 'frontend'], 0), own('B', 'checkout', 1), own('C', 'frontend', 2)], {
      registry,
    });
    expect(first(r).id).toBe('cart');
    expect(first(r).explains).toEqual(['A', 'B', 'C']);
  });

  it('gives the callee its full own-incident credit when its observer saw only it slow, and a share when the observer saw others slow too', () => {
    const alone = correlate(shopIndex, [seen('A', 'cart', ['checkout'], 0)], { registry });
    const full = candidate(alone, 'cart')!.factors.find((f) => f.signal === 'own_incident')!;
    expect(full.evidence?.observedShare).toBeUndefined();
    const fanOut = correlate(
      shopIndex,
      [seen('A', 'cart', ['checkout'], 0), seen('B', 'payment', ['checkout'], 0), seen('C', 'email', ['checkout'], 0)],
      {
        registry,
        topCandidates: 20,
      },
    );
    // in(cart) = 1 observer, out(checkout) = 3 callees: cart keeps 1 / (1 + 3 − 1) of the credit.
    const shared = candidate(fanOut, 'cart')!.factors.find((f) => f.signal === 'own_incident')!;
    expect(shared.evidence?.observedShare).toBe(0.333);
    expect(shared.contribution).toBeCloseTo(full.contribution / 3, 2);
    // The observer gets no own-incident credit from what it saw.
    expect(candidate(fanOut, 'checkout')!.factors.find((f) => f.signal === 'own_incident')!.contribution).toBe(0);
  });

  it("keeps a callee's full credit when it also raised an alert of its own (not an observation)", () => {
    const r = correlate(
      shopIndex,
      [seen('A', 'cart', ['checkout'], 0), seen('B', 'payment', ['checkout'], 0), own('C', 'cart', 1, { signal: 'saturation' })],
      { registry, topCandidates: 20 },
    );
    expect(candidate(r, 'cart')!.factors.find((f) => f.signal === 'own_incident')!.evidence?.observedShare).toBeUndefined();
    expect(
      readPairs([
        { nodes: [2], observers: [1] },
        { nodes: [3], observers: [1] },
        { nodes: [2], observers: [] },
      ])!.ownCredit.has(2),
    ).toBe(false);
  });

  it('shares the credit by in(B) / (in(B) + out(A) − 1) over the observers, the best observer deciding', () => {
    // Observer 1 saw 2, 3 and 4 slow; observer 5 saw only 2.
    const p = readPairs([
      { nodes: [2], observers: [1, 5] },
      { nodes: [3], observers: [1] },
      { nodes: [4], observers: [1] },
    ])!;
    expect(p.ownCredit.get(2)).toBeUndefined(); // via observer 5: 2 / (2 + 1 − 1) = 1
    expect(p.ownCredit.get(3)).toBeCloseTo(1 / 3, 12);
    expect(p.extras.get(2)).toEqual([1, 5]);
    expect(p.extras.has(1)).toBe(false); // observer 1 raised no incident of its own: it has no walk
    expect([...p.calls.get(1)!]).toEqual([2, 3, 4]);
  });

  it('reads the observed call as a dependency the CMDB lacks: the callee explains its observer, with the call as evidence', () => {
    const incidents = [own('A', 'frontend', 0), seen('B', 'ads', ['frontend'], 1)];
    const r = correlate(missingIndex, incidents, { registry });
    expect(r.groups).toHaveLength(1);
    const ads = candidate(r, 'ads')!;
    expect(ads.explains).toEqual(['A', 'B']);
    // The step type is what clients read in the evidence (docs/itsm.md), so it is pinned as written there.
    expect(ads.paths.find((p) => p.ci === 'frontend')!.steps).toEqual([{ from: 'frontend', type: 'OBSERVED_CALL', to: 'ads' }]);
    // frontend's slowness is explained by the callee it saw slow: it is not a natural root.
    expect(candidate(r, 'frontend')?.factors.find((f) => f.signal === 'natural_root')?.value ?? 0).toBe(0);
    // Without the observation the two alerts are strangers to the CMDB.
    const plain = correlate(missingIndex, [own('A', 'frontend', 0), own('B', 'ads', 1)], { registry });
    expect(plain.groups.map((g) => g.basis)).toEqual(['single', 'single']);
  });

  it("shows the observer's evidence path as the observed call from the observer to the callee", () => {
    const r = correlate(shopIndex, [seen('A', 'cart', ['checkout'], 0), seen('B', 'payment', ['checkout'], 1)], {
      registry,
      topCandidates: 20,
    });
    const checkout = candidate(r, 'checkout')!;
    expect(checkout.paths.map((p) => [p.ci, p.steps])).toEqual([
      ['cart', [{ from: 'checkout', type: OBSERVED_CALL, to: 'cart' }]],
      ['payment', [{ from: 'checkout', type: OBSERVED_CALL, to: 'payment' }]],
    ]);
  });

  it('ignores observers the CMDB does not know and refuses an observer among the incident’s own CIs', () => {
    const r = correlate(shopIndex, [seen('A', 'cart', ['nowhere'], 0)], { registry });
    expect(answer(r)).toEqual(answer(correlate(shopIndex, [own('A', 'cart', 0)], { registry })));
    expect(() => correlate(shopIndex, [seen('A', 'cart', ['cart'], 0)], { registry })).toThrow(
      /correlate: incident "A" observedBy "cart" is one of its own CIs/,
    );
  });
});

describe('observed alerts in the history (chronic noise)', () => {
  // Checkout's calls to payment were slow in every past window; payment itself never alerted.
  const past = [0, 10, 20, 30, 40, 50].map((m) => ({
    cis: ['payment'],
    openedAt: at(m - 120),
    signal: 'latency' as const,
    observedBy: ['checkout'],
  }));
  const chronic = (r: CorrelationResult, id: string) => candidate(r, id)!.factors.find((f) => f.signal === 'chronic_noise')!;
  const opts = (history: typeof past | Omit<(typeof past)[number], 'observedBy'>[]) => ({ registry, window: '10m', history });

  it("does not discount a callee's own alert for what a chronically slow caller saw of it", () => {
    const incidents = [own('A', 'payment', 0), own('B', 'checkout', 1)];
    const r = correlate(shopIndex, incidents, opts(past));
    expect(chronic(r, 'payment').value).toBe(0);
    // The same past stored without its observers (each read as payment's own alert): payment looks chronic.
    const asOwn = correlate(shopIndex, incidents, opts(past.map(({ observedBy: _, ...h }) => h)));
    expect(chronic(asOwn, 'payment').value).toBeGreaterThan(0);
  });

  it('discounts the same observation when it comes again: the pair is chronic', () => {
    const r = correlate(shopIndex, [seen('A', 'payment', ['checkout'], 0), own('B', 'checkout', 1)], opts(past));
    expect(chronic(r, 'payment').value).toBeGreaterThan(0);
    // Seen by another caller, the observation is news.
    const other = correlate(shopIndex, [seen('A', 'payment', ['frontend'], 0), own('B', 'frontend', 1)], opts(past));
    expect(chronic(other, 'payment').value).toBe(0);
  });
});

describe('observedBy at the boundaries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-observed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts observedBy in the CLI incidents file and refuses an observer among the CIs, naming the field', () => {
    const ok = CorrelateFile.parse({ incidents: [{ id: 'A', cis: ['cart'], openedAt: at(0), observedBy: ['checkout'] }] });
    expect(ok.incidents[0]!.observedBy).toEqual(['checkout']);
    const bad = CorrelateFile.safeParse({ incidents: [{ id: 'A', cis: ['cart'], openedAt: at(0), observedBy: ['cart'] }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['incidents', 0, 'observedBy']);
    expect(CorrelateFile.safeParse({ incidents: [{ id: 'A', cis: ['cart'], openedAt: at(0), observedBy: [] }] }).success).toBe(false);
  });

  it('stores observedBy on an incident and correlates the open incidents with it over HTTP (real SQLite)', async () => {
    const store = new SqliteStore(join(dir, 'observed.sqlite'));
    await store.init();
    const fx = await apiFixture(store);
    try {
      // Seed: svc-shop → app-checkout → db-orders → vm-17. The app saw the database slow.
      const created = await api(fx.app)
        .post('/api/v1/incidents')
        .set('Authorization', fx.auth.engineer)
        .send({ title: 'orders slow', cis: ['db-orders'], openedAt: at(0), signal: 'latency', observedBy: ['app-checkout'] })
        .expect(201);
      expect(created.body.observedBy).toEqual(['app-checkout']);
      const stored = await api(fx.app).get(`/api/v1/incidents/${created.body.id}`).set('Authorization', fx.auth.viewer).expect(200);
      expect(stored.body.observedBy).toEqual(['app-checkout']);
      // The stored record, read back as chronic-noise history, keeps its observer (learned as the pair's).
      const past = await new CorrelationService(fx.cmdb).history(Date.parse(at(1)), 3_600_000, new Set());
      expect(past.filter((h) => h.cis.includes('db-orders'))).toEqual([
        { cis: ['db-orders'], openedAt: at(0), signal: 'latency', observedBy: ['app-checkout'] },
      ]);
      const open = await api(fx.app).post('/api/v1/correlate').set('Authorization', fx.auth.viewer).send({}).expect(200);
      const fromStore = (open.body as CorrelationResult).groups[0]!.candidates.map((c) => c.id);
      expect(fromStore).toContain('app-checkout');
      const given = await api(fx.app)
        .post('/api/v1/correlate')
        .set('Authorization', fx.auth.viewer)
        .send({ incidents: [{ id: 'X', cis: ['db-orders'], openedAt: at(0), observedBy: ['app-checkout'] }] })
        .expect(200);
      expect((given.body as CorrelationResult).groups[0]!.candidates.map((c) => c.id)).toEqual(fromStore);
      const refused = await api(fx.app)
        .post('/api/v1/correlate')
        .set('Authorization', fx.auth.viewer)
        .send({ incidents: [{ id: 'X', cis: ['db-orders'], openedAt: at(0), observedBy: ['db-orders'] }] })
        .expect(400);
      expect(JSON.stringify(refused.body.error)).toMatch(/observedBy/);
      await api(fx.app)
        .post('/api/v1/incidents')
        .set('Authorization', fx.auth.engineer)
        .send({ title: 'x', cis: ['db-orders'], observedBy: ['db-orders'] })
        .expect(400);
    } finally {
      await fx.close();
    }
  });
});
