/**
 * Who owns the impact index: the Cmdb keeps one per mirror and every service is handed that one
 * (no service keeps its own copy); algorithms never build an index, so one built with another
 * registry is refused rather than silently rebuilt.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cmdb } from '../../engine/cmdb.ts';
import { ChangeService } from '../../engine/changes/service.ts';
import { CorrelationService } from '../../engine/incidents/correlation-service.ts';
import { blastRadius, dependencies, ImpactIndexKeeper, singlePointsOfFailure } from '../../engine/impact/index.ts';
import { IncidentService } from '../../engine/incidents/service.ts';
import { IncidentCreate } from '../../engine/incidents/model.ts';
import { Registry } from '../../engine/model/registry.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { batchOf, tmpDir } from '../changes/helpers.ts';
import { graphOf, indexOf, registry } from './helpers.ts';

const tmp = tmpDir('cmdb-impact-owner-');
afterAll(() => tmp.cleanup());

describe('impact index ownership', () => {
  it('hands every service the Cmdb’s one index, renewed after graph writes only', async () => {
    const cmdb = await Cmdb.open({ store: new SqliteStore(join(tmp.dir, 'owner.sqlite')), registry });
    try {
      await cmdb.apply(batchOf({ db: { class: 'Database' }, app: {} }, [['app', 'DEPENDS_ON', 'db']]), { actor: 't' });
      const index = cmdb.impactIndex();
      const incidents = new IncidentService({ cmdb });
      expect(incidents.impactIndex()).toBe(index);
      expect(new CorrelationService(cmdb).impactIndex()).toBe(index);
      expect(new ChangeService({ cmdb }).impactSource()).toBe(index);
      // A record write leaves the graph, hence the index, as it was.
      await incidents.create(IncidentCreate.parse({ title: 'app slow', cis: ['app'] }), { name: 'erin', role: 'engineer' });
      expect(cmdb.impactIndex()).toBe(index);
      // A graph write: a new view of the same maintained state, which every service then shares.
      await cmdb.apply(batchOf({ web: {} }, [['web', 'DEPENDS_ON', 'app']]), { actor: 't' });
      const next = cmdb.impactIndex();
      expect(next).not.toBe(index);
      expect(next.idToIndex).toBe(index.idToIndex);
      expect(incidents.impactIndex()).toBe(next);
      expect(blastRadius(next, registry, [{ ci: 'db', effect: 'down' }]).impacted.map((i) => i.id)).toEqual(['app', 'web']);
    } finally {
      await cmdb.close();
    }
  });

  it('keeps derived data per index version: computed once, and afresh for the next version', () => {
    const g = graphOf({ a: {}, b: {} }, [['b', 'DEPENDS_ON', 'a']]);
    const keeper = new ImpactIndexKeeper(g, registry);
    const key = {};
    let made = 0;
    const count = (v: number) => keeper.current(v).derived(key, () => ({ n: keeper.current(v).n, call: ++made }));
    expect(count(1)).toEqual({ n: 2, call: 1 });
    expect(count(1)).toEqual({ n: 2, call: 1 });
    // Another caller's key is another entry.
    expect(keeper.current(1).derived({}, () => 'other')).toBe('other');
    g.addNode('c', { class: 'Application', name: 'c', status: 'in_service', environment: 'production', criticality: 3 });
    expect(count(2)).toEqual({ n: 3, call: 2 });
    keeper.close();
  });

  it('refuses, in every algorithm, an index built with another registry', () => {
    const g = graphOf({ a: {}, b: {} }, [['b', 'DEPENDS_ON', 'a']]);
    const other = Registry.load();
    expect(other).not.toBe(registry);
    const index = indexOf(g);
    expect(() => blastRadius(index, other, [{ ci: 'a', effect: 'down' }])).toThrow(
      'impact: the impact index was built with another registry',
    );
    expect(() => dependencies(index, other, 'b')).toThrow('dependencies: the impact index was built with another registry');
    expect(() => singlePointsOfFailure(index, other, 'b')).toThrow('spof: the impact index was built with another registry');
  });
});
