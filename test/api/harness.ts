/**
 * What the API suites share: a CMDB on a fresh store seeded with a small graph, a token per role,
 * an app built with createApp, and a snapshot of store + mirror to prove "nothing written".
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { Cmdb } from '../../engine/cmdb.ts';
import { Registry } from '../../engine/model/registry.ts';
import { TokenService, ROLES, type Role, type TokenCacheOptions } from '../../engine/auth/tokens.ts';
import { exportJson } from '../../engine/io/export.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { createApp, type AppDeps } from '../../api/app.ts';
import { ci, rel } from '../store-contract.ts';

export interface StoreFactory {
  /** A fresh, empty, initialised store. */
  create(): Promise<GraphStore>;
}

export interface ApiFixture {
  cmdb: Cmdb;
  app: Express;
  tokens: TokenService;
  /** `Authorization` header values by role. */
  auth: Record<Role, string>;
  close(): Promise<void>;
}

export const SEED_CIS = [
  ci({ id: 'svc-shop', class: 'BusinessService', name: 'Online shop', criticality: 1, owner: 'team-shop', tags: ['tier1', 'customer'] }),
  ci({ id: 'app-checkout', class: 'Application', name: 'Checkout app', owner: 'team-shop', tags: ['tier1'] }),
  ci({ id: 'db-orders', class: 'Database', name: 'Orders DB', criticality: 1, owner: 'team-dba', tags: ['pci'] }),
  ci({ id: 'db-orders-replica', class: 'Database', name: 'Orders DB replica', criticality: 2, owner: 'team-dba', status: 'maintenance' }),
  ci({ id: 'vm-17', class: 'VirtualMachine', name: 'vm 17', environment: 'staging' }),
  ci({ id: 'srv-01', class: 'Server', name: 'Server 01', status: 'retired' }),
];

export const SEED_RELS = [
  rel({ type: 'DEPENDS_ON', from: 'svc-shop', to: 'app-checkout' }),
  rel({ type: 'DEPENDS_ON', from: 'app-checkout', to: 'db-orders' }),
  rel({ type: 'RUNS_ON', from: 'db-orders', to: 'vm-17' }),
  rel({ type: 'REPLICATES_TO', from: 'db-orders', to: 'db-orders-replica' }),
];

export async function apiFixture(
  store: GraphStore,
  deps: Partial<AppDeps> = {},
  seed = true,
  tokenCache: TokenCacheOptions = {},
): Promise<ApiFixture> {
  const cmdb = await Cmdb.open({ store, registry: Registry.load() });
  if (seed) {
    await cmdb.apply(
      [
        ...SEED_CIS.map((c) => ({ op: 'upsertCI' as const, ci: c })),
        ...SEED_RELS.map((r) => ({ op: 'upsertRelationship' as const, relationship: r })),
      ],
      { actor: 'seed' },
    );
  }
  const tokens = new TokenService(cmdb, tokenCache);
  const auth = {} as Record<Role, string>;
  for (const role of ROLES) auth[role] = `Bearer ${(await tokens.create({ name: `${role}-user`, role }, { actor: 'seed' })).token}`;
  const app = createApp({ cmdb, tokens, rateLimit: false, ...deps });
  return { cmdb, app, tokens, auth, close: () => cmdb.close() };
}

export interface Snapshot {
  seq: number;
  counts: unknown;
  mirror: { order: number; size: number; seq: number };
  exportHash: string;
}

/** Store and mirror state, compared before and after a refused request. */
export async function snapshot(cmdb: Cmdb): Promise<Snapshot> {
  let text = '';
  await exportJson(cmdb.store, async (chunk) => {
    text += chunk;
  });
  return {
    seq: await cmdb.store.lastSeq(),
    counts: await cmdb.store.counts(),
    mirror: { order: cmdb.mirror.graph.order, size: cmdb.mirror.graph.size, seq: cmdb.mirror.seq },
    exportHash: createHash('sha256').update(text).digest('hex'),
  };
}

export function api(app: Express) {
  return request(app);
}
