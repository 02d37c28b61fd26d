/**
 * How every class of map element looks — the one stylesheet module (STYLE.md #13). Views only add
 * CSS-like classes (`origin`, `down`, `degraded`, `service`, `group`, `path`, `dim` …); nothing
 * else sets colours. States differ by colour AND shape AND border, so they read without colour:
 * origin = diamond with a thick solid border, down = square with a solid border, degraded = rounded
 * box with a dashed border; business services are bigger with a double border. Colours are the
 * Okabe–Ito palette (distinguishable with the common colour-vision deficiencies).
 */
import type { StylesheetJson } from 'cytoscape';

export const COLOURS = {
  origin: '#0072B2',
  down: '#D55E00',
  degraded: '#E69F00',
  ok: '#999999',
  path: '#000000',
  match: '#009E73',
  spof: '#CC79A7',
  observed: '#56B4E9',
};

export const GRAPH_STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-max-width': '150px',
      'font-size': 11,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      width: 34,
      height: 34,
      'background-color': '#f2f2f2',
      'border-width': 2,
      'border-color': COLOURS.ok,
      'min-zoomed-font-size': 7,
      color: '#111',
    },
  },
  {
    selector: 'node.down',
    style: { shape: 'rectangle', 'background-color': COLOURS.down, 'border-color': '#5a2000', 'border-style': 'solid', 'border-width': 3 },
  },
  {
    selector: 'node.degraded',
    style: {
      shape: 'round-rectangle',
      'background-color': COLOURS.degraded,
      'border-color': '#6b4a00',
      'border-style': 'dashed',
      'border-width': 3,
    },
  },
  {
    selector: 'node.origin',
    style: {
      shape: 'diamond',
      'background-color': COLOURS.origin,
      'border-color': '#00344f',
      'border-width': 5,
      width: 44,
      height: 44,
      'font-weight': 'bold',
    },
  },
  {
    selector: 'node.service',
    style: {
      width: 56,
      height: 56,
      'border-style': 'double',
      'border-width': 8,
      'font-size': 13,
      'font-weight': 'bold',
      'text-max-width': '200px',
    },
  },
  { selector: 'node.group', style: { shape: 'barrel', width: 60, height: 40, 'font-size': 12, 'font-weight': 'bold' } },
  { selector: 'node.dep', style: { 'border-color': '#333', 'border-width': 3 } },
  { selector: 'node.spof', style: { 'border-color': COLOURS.spof, 'border-width': 6 } },
  { selector: 'node.focus', style: { shape: 'star', width: 48, height: 48, 'background-color': COLOURS.origin } },
  {
    selector: ':parent',
    style: {
      'background-color': '#eef3f8',
      'background-opacity': 0.6,
      'border-color': '#8aa',
      'border-width': 1,
      'text-valign': 'top',
      'text-halign': 'center',
      'font-size': 14,
      'font-weight': 'bold',
      shape: 'round-rectangle',
      padding: '14px',
    },
  },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'line-color': '#b5b5b5',
      'curve-style': 'straight',
      'target-arrow-shape': 'triangle',
      'target-arrow-color': '#b5b5b5',
      'arrow-scale': 0.8,
      label: '',
      'font-size': 9,
    },
  },
  {
    selector: 'edge.labelled',
    style: {
      label: 'data(type)',
      'text-rotation': 'autorotate',
      color: '#555',
      'text-background-color': '#fff',
      'text-background-opacity': 0.8,
    },
  },
  // A correlation evidence step monitoring saw (an observed call), not a stored relationship: dashed
  // (readable without colour) and labelled in words, never with its wire type OBSERVED_CALL.
  {
    selector: 'edge.observed',
    style: {
      'line-style': 'dashed',
      'line-color': COLOURS.observed,
      'target-arrow-color': COLOURS.observed,
      label: 'observed call',
      width: 2.5,
      // Beside the line, not over it: on a short edge a label on the line hides the dashes.
      'text-rotation': 'none',
      'text-margin-x': 48,
    },
  },
  { selector: 'node.quiet', style: { label: '' } },
  // Big maps draw their bulk edges as haystack lines (no arrow geometry per edge: the rows already
  // say provider above dependent); a highlighted path gets its arrows back (edge.path below).
  { selector: 'edge.bulk', style: { 'curve-style': 'haystack', 'haystack-radius': 0, 'target-arrow-shape': 'none' } },
  { selector: 'node.quiet.path, node.quiet.match, node.quiet.selected-ci', style: { label: 'data(label)' } },
  { selector: '.dim', style: { opacity: 0.15 } },
  { selector: '.hidden', style: { display: 'none' } },
  { selector: 'node.match', style: { 'underlay-color': COLOURS.match, 'underlay-opacity': 0.5, 'underlay-padding': 8 } },
  {
    selector: 'node.path',
    style: {
      'underlay-color': COLOURS.path,
      'underlay-opacity': 0.25,
      'underlay-padding': 6,
      'font-weight': 'bold',
      'font-size': 20,
      'min-zoomed-font-size': 0,
      'text-background-color': '#fff',
      'text-background-opacity': 0.85,
      'z-index': 20,
    },
  },
  {
    selector: 'edge.path',
    style: {
      'curve-style': 'straight',
      'target-arrow-shape': 'triangle',
      width: 5,
      'line-color': COLOURS.path,
      'target-arrow-color': COLOURS.path,
      label: 'data(type)',
      'font-size': 11,
      'text-background-color': '#fff',
      'text-background-opacity': 1,
      'z-index': 10,
    },
  },
  { selector: 'node.selected-ci', style: { 'underlay-color': COLOURS.path, 'underlay-opacity': 0.45, 'underlay-padding': 10 } },
];
