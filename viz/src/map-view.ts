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

export interface MapFilters {
  states: ReadonlySet<string>;
  classes: ReadonlySet<string>;
}

/** Zoom and pan that fit the node positions (plus a margin for labels) into the container. */
export function viewportFor(model: ImpactMap, container: HTMLElement): { zoom: number; pan: { x: number; y: number } } {
  if (model.nodes.length === 0) return { zoom: 1, pan: { x: 0, y: 0 } };
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const n of model.nodes) {
    x0 = Math.min(x0, n.x);
    x1 = Math.max(x1, n.x);
    y0 = Math.min(y0, n.y);
    y1 = Math.max(y1, n.y);
  }
  const margin = 90;
  const w = Math.max(container.clientWidth, 100);
  const h = Math.max(container.clientHeight, 100);
  const zoom = Math.min(1.5, Math.max(0.02, Math.min(w / (x1 - x0 + 2 * margin), h / (y1 - y0 + 2 * margin))));
  return { zoom, pan: { x: w / 2 - ((x0 + x1) / 2) * zoom, y: h / 2 - ((y0 + y1) / 2) * zoom } };
}

export class MapView {
  readonly cy: Core;
  private readonly ready: Promise<void>;
  private filtered = false;

  constructor(
    container: HTMLElement,
    readonly model: ImpactMap,
    readonly answer: ImpactAnswer,
    onTap: (id: string) => void,
  ) {
    // Registered once per page; cytoscape's own extension registry says whether it already is.
    if (!(cytoscape as unknown as (type: string, name: string) => unknown)('core', 'svg')) cytoscape.use(cytoscapeSvg);
    const big = model.nodes.length > 300;
    // Big maps label only what a reviewer reads first (origins, services, groups) and whatever is
    // highlighted, found or selected: measuring thousands of wrapped labels dominated first render.
    const quiet = (classes: string[]) => big && !classes.some((c) => c === 'origin' || c === 'service' || c === 'group');
    const elements: ElementDefinition[] = [
      ...model.parents.map((p) => ({ group: 'nodes' as const, data: { id: p.id, label: p.label }, classes: 'compound' })),
      ...model.nodes.map((n) => ({
        group: 'nodes' as const,
        data: {
          id: n.id,
          label: n.label,
          parent: n.parent,
          state: n.state,
          ciClass: n.ciClass,
          depth: n.depth,
          environment: n.environment,
          members: n.members,
        },
        position: { x: n.x, y: n.y },
        classes: [...n.classes, ...(quiet(n.classes) ? ['quiet'] : [])].join(' '),
      })),
      ...model.edges.map((e) => ({
        group: 'edges' as const,
        data: { id: e.id, source: e.source, target: e.target, type: e.type },
        ...(big ? { classes: 'bulk' } : {}),
      })),
    ];
    this.cy = cytoscape({
      container,
      elements,
      style: GRAPH_STYLE,
      // Fit from the precomputed positions: cytoscape's own fit measures every label first.
      layout: { name: 'preset', fit: false },
      ...viewportFor(model, container),
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
    // When the first frame was drawn (ms since navigation): read by tests and bench/ui.ts.
    this.cy.one('render', () => container.setAttribute('data-rendered', performance.now().toFixed(1)));
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
          onPath
            .merge(this.cy.getElementById(source))
            .merge(this.cy.getElementById(target))
            .merge(this.cy.getElementById(stepId(step)));
        }
      }
      this.cy.elements().not(onPath).not(':parent').addClass('dim');
      onPath.addClass('path');
      node.addClass('selected-ci');
    });
  }

  /** Hides nodes whose state or class the filters exclude (empty set = all), and edges to them. */
  filter(f: MapFilters): number {
    // Restyling every node costs as much as the first frame on big maps: skip it when nothing changes.
    if (f.states.size === 0 && f.classes.size === 0 && !this.filtered) return this.cy.nodes().not(':parent').length;
    this.filtered = f.states.size > 0 || f.classes.size > 0;
    let visible = 0;
    this.cy.batch(() => {
      this.cy
        .nodes()
        .not(':parent')
        .forEach((n) => {
          const hide =
            !n.hasClass('origin') &&
            ((f.states.size > 0 && !f.states.has(n.data('state') as string)) ||
              (f.classes.size > 0 && !f.classes.has(n.data('ciClass') as string)));
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
      this.cy
        .nodes()
        .not(':parent')
        .forEach((n) => {
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
