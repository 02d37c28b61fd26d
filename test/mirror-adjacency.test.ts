/**
 * The mirror's graphs keep their adjacency in dictionary-mode objects (engine/mirror/dictionary-adjacency.ts):
 * the hook must find graphology's internals (else hydration silently loses ~3 s at 1M CIs) and the
 * graph must answer exactly as with graphology's own objects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import { useDictionaryAdjacency } from '../engine/mirror/dictionary-adjacency.ts';

describe('dictionary adjacency', () => {
  it('runs against the exact graphology version package.json pins', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const pinned = pkg.dependencies.graphology!;
    // An exact version, no range: the patch relies on graphology internals.
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    // The package's exports hide package.json: read it beside its resolved entry point.
    let dir = dirname(createRequire(import.meta.url).resolve('graphology'));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    const installed = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string }).version;
    expect(installed).toBe(pinned);
  });

  it('finds graphology’s directed node data and installs once (idempotent)', () => {
    expect(useDictionaryAdjacency()).toBe(true);
    const clearOf = () => {
      const g = new Graph.MultiDirectedGraph();
      g.addNode('n');
      const data = (g as unknown as { _nodes: Map<string, object> })._nodes.get('n')!;
      return (Object.getPrototypeOf(data) as { clear: () => void }).clear;
    };
    const installed = clearOf();
    expect(useDictionaryAdjacency()).toBe(true);
    // Not wrapped a second time (the mark is on the wrapper itself, not in module state).
    expect(clearOf()).toBe(installed);
  });

  it('keeps every graph answer: neighbours, parallel edges, integer-like ids, drops and clears', () => {
    const g = new Graph.MultiDirectedGraph<Record<string, unknown>, { type: string }>({ allowSelfLoops: false });
    for (const id of ['b', 'a', '10', '2', 'hub']) g.addNode(id);
    g.addEdgeWithKey('e1', 'b', 'hub', { type: 'DEPENDS_ON' });
    g.addEdgeWithKey('e2', 'a', 'hub', { type: 'DEPENDS_ON' });
    g.addEdgeWithKey('e3', '10', 'hub', { type: 'RUNS_ON' });
    g.addEdgeWithKey('e4', '2', 'hub', { type: 'RUNS_ON' });
    g.addEdgeWithKey('e5', 'a', 'hub', { type: 'RUNS_ON' });
    // Integer-like keys first in ascending order, then strings in insertion order: the language's rule in both modes.
    expect(g.inNeighbors('hub')).toEqual(['2', '10', 'b', 'a']);
    expect(g.hasDirectedEdge('a', 'hub')).toBe(true);
    expect(g.hasDirectedEdge('hub', 'a')).toBe(false);
    expect(g.directedEdges('a', 'hub').sort()).toEqual(['e2', 'e5']);
    expect(g.inDegree('hub')).toBe(5);
    g.dropEdge('e2');
    expect(g.directedEdges('a', 'hub')).toEqual(['e5']);
    g.dropNode('b');
    expect(g.inNeighbors('hub')).toEqual(['2', '10', 'a']);
    g.clearEdges();
    expect(g.size).toBe(0);
    expect(g.hasDirectedEdge('a', 'hub')).toBe(false);
    g.addEdgeWithKey('e6', 'a', 'hub', { type: 'DEPENDS_ON' });
    expect(g.outNeighbors('a')).toEqual(['hub']);
    // Adjacency objects keep Object.prototype (graphology calls hasOwnProperty on them).
    const data = (g as unknown as { _nodes: Map<string, { in: object; out: object }> })._nodes.get('hub')!;
    expect(Object.getPrototypeOf(data.in)).toBe(Object.prototype);
    expect(Object.keys(data.in)).toEqual(['a']);
  });
});
