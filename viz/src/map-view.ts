/**
 * The cytoscape canvas of an impact map (used by /impact and the change review): draws an
 * `ImpactMap` at its precomputed positions (preset layout — no layout cost on the main thread),
 * highlights a CI's `via` path, dims what the filters hide, finds by text, and exports PNG, SVG
 * and JSON. Large maps switch on cytoscape's viewport texture and hide edges while panning, so a
 * 10,000-node map still pans smoothly.
 */
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import cytoscapeSvg from 'cytoscape-svg';
import type { ImpactAnswer } from './api.ts';
import { GRAPH_STYLE } from './graph-style.ts';
import { pathEdges, stepId, type ImpactMap } from './impact-model.ts';

let svgRegistered = false;

export interface MapFilters { states: ReadonlySet<string>; classes: ReadonlySet<string> }

export class MapView {
  readonly cy: Core;
  private readonly ready: Promise<void>;

  constructor(container: HTMLElement, readonly model: ImpactMap, readonly answer: ImpactAnswer, onTap: (id: string) => void) {
    if (!svgRegistered) {
      cytoscape.use(cytoscapeSvg);
      svgRegistered = true;
    }
    const elements: ElementDefinition[] = [
      ...model.parents.map((p) => ({ group: 'nodes' as const, data: { id: p.id, label: p.label }, classes: 'compound' })),
      ...model.nodes.map((n) => ({ group: 'nodes' as const, data: { id: n.id, label: n.label, parent: n.parent, state: n.state, ciClass: n.ciClass, depth: n.depth, environment: n.environment, members: n.members }, position: { x: n.x, y: n.y }, classes: n.classes.join(' ') })),
      ...model.edges.map((e) => ({ group: 'edges' as const, data: { id: e.id, source: e.source, target: e.target, type: e.type } })),
    ];
    const big = model.nodes.length > 500;
    this.cy = cytoscape({
      container,
      elements,
      style: GRAPH_STYLE,
      layout: { name: 'preset', fit: true, padding: 30 },
      minZoom: 0.02,
      maxZoom: 3,
      textureOnViewport: big,
      hideEdgesOnViewport: big,
      motionBlur: false,
      pixelRatio: big ? 1 : 'auto',
      boxSelectionEnabled: false,
    });
    if (model.nodes.length <= 60) this.cy.edges().addClass('labelled');
    this.cy.on('tap', 'node', (evt) => {
      if (!evt.target.isParent()) onTap(evt.target.id() as string);
    });
    this.ready = new Promise((resolve) => this.cy.ready(() => resolve()));
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Highlights `id`'s explanation path (from the API's via) and dims the rest; null clears. */
  highlight(id: string | null): void {
    this.cy.batch(() => {
      this.cy.elements().removeClass('path dim selected-ci');
      if (id === null) return;
      const node = this.cy.getElementById(id);
      if (node.empty()) return;
      const ci = this.answer.impacted.find((c) => c.id === id);
      const onPath = this.cy.collection().union(node);
      if (ci) {
        for (const [source, target, step] of pathEdges(ci)) {
          onPath.merge(this.cy.getElementById(source)).merge(this.cy.getElementById(target)).merge(this.cy.getElementById(stepId(step)));
        }
      }
      this.cy.elements().not(onPath).not(':parent').addClass('dim');
      onPath.addClass('path');
      node.addClass('selected-ci');
    });
  }

  /** Hides nodes whose state or class the filters exclude (empty set = all), and edges to them. */
  filter(f: MapFilters): number {
    let visible = 0;
    this.cy.batch(() => {
      this.cy.nodes().not(':parent').forEach((n) => {
        const hide = !n.hasClass('origin') && ((f.states.size > 0 && !f.states.has(n.data('state') as string)) || (f.classes.size > 0 && !f.classes.has(n.data('ciClass') as string)));
        n.toggleClass('hidden', hide);
        if (!hide) visible++;
      });
    });
    return visible;
  }

  /** Marks nodes whose id or label contains `text`; returns their ids. */
  find(text: string): string[] {
    const t = text.trim().toLowerCase();
    const hits: string[] = [];
    this.cy.batch(() => {
      this.cy.nodes().removeClass('match');
      if (!t) return;
      this.cy.nodes().not(':parent').forEach((n) => {
        if ((n.id() as string).toLowerCase().includes(t) || String(n.data('label')).toLowerCase().includes(t)) {
          n.addClass('match');
          hits.push(n.id() as string);
        }
      });
    });
    return hits;
  }

  focus(id: string): void {
    const n = this.cy.getElementById(id);
    if (n.nonempty()) this.cy.animate({ center: { eles: n }, zoom: Math.max(this.cy.zoom(), 0.8) }, { duration: 200 });
  }

  png(): Blob {
    return this.cy.png({ output: 'blob', full: true, bg: '#ffffff', maxWidth: 8000, maxHeight: 8000 }) as Blob;
  }

  svg(): string {
    return (this.cy as unknown as { svg(o: object): string }).svg({ full: true, bg: '#ffffff' });
  }

  destroy(): void {
    this.cy.destroy();
  }
}
