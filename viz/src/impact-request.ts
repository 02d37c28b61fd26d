/**
 * The impact question a `/impact?…` URL asks, as the `POST /api/v1/impact` body. Owned here, apart
 * from the view, so the shell can ask it while `/me` and the view's chunk (cytoscape) are still
 * loading: the answer is on the first render's path, and waiting for both first cost ~0.3 s.
 */
import type { ImpactRequest } from './api.ts';

export interface ImpactQuery {
  cis: string[];
  mode: 'down' | 'degraded';
  depth: string | null;
  types: string;
  env: string;
  /** The API body; null when the URL names no CI (the view then shows the empty form). */
  request: ImpactRequest | null;
}

export function impactQueryOf(p: URLSearchParams): ImpactQuery {
  const cis = p
    .getAll('ci')
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const mode = p.get('mode') === 'degraded' ? 'degraded' : 'down';
  const depth = p.get('depth');
  const types = p.get('types') ?? '';
  const env = p.get('env') ?? '';
  const maxNodes = Number(p.get('maxNodes') ?? '2000');
  if (cis.length === 0) return { cis, mode, depth, types, env, request: null };
  const request: ImpactRequest = {
    origins: cis.map((ci) => ({ ci, effect: mode })),
    group: 'auto',
    context: true,
    maxNodes: Number.isFinite(maxNodes) && maxNodes >= 10 ? maxNodes : 2000,
  };
  if (depth !== null && depth !== '') request.maxDepth = Number(depth);
  if (types) request.relationshipTypes = types.split(',').filter(Boolean);
  if (env) request.environments = env.split(',').filter(Boolean);
  return { cis, mode, depth, types, env, request };
}

/** The key under which an answer to `request` is held (same question, same key). */
export const impactKey = (request: ImpactRequest): string => JSON.stringify(request);
