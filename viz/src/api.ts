/**
 * The typed client of /api/v1. Every call goes through `ENDPOINTS`, one row per operation with its
 * method and OpenAPI path template, so a test (test/viz/client-openapi.test.ts) can check that each
 * one exists in the server's /api/v1/openapi.json. Errors come back as `ApiError` carrying the API's
 * `{error: {code, message, details}}`. The bearer token is passed in, never put in a URL.
 */
export const ENDPOINTS = {
  me: { method: 'get', path: '/me' },
  listCis: { method: 'get', path: '/cis' },
  getCi: { method: 'get', path: '/cis/{id}' },
  neighbours: { method: 'get', path: '/cis/{id}/neighbours' },
  ciHistory: { method: 'get', path: '/cis/{id}/history' },
  ciImpact: { method: 'get', path: '/cis/{id}/impact' },
  impact: { method: 'post', path: '/impact' },
  dependencies: { method: 'get', path: '/cis/{id}/dependencies' },
  spof: { method: 'get', path: '/cis/{id}/spof' },
  listRelationships: { method: 'get', path: '/relationships' },
  registry: { method: 'get', path: '/registry' },
  getChange: { method: 'get', path: '/changes/{id}' },
  changeAssessment: { method: 'get', path: '/changes/{id}/assessment' },
  changeConflicts: { method: 'get', path: '/changes/{id}/conflicts' },
  voteChange: { method: 'post', path: '/changes/{id}/approvals' },
  listIncidents: { method: 'get', path: '/incidents' },
  correlate: { method: 'post', path: '/correlate' },
  problemFromCorrelation: { method: 'post', path: '/problems/from-correlation' },
  auditTrend: { method: 'get', path: '/audit/runs' },
  getAuditRun: { method: 'get', path: '/audit/runs/{id}' },
  runAudit: { method: 'post', path: '/audit/runs' },
} as const;
export type Endpoint = keyof typeof ENDPOINTS;

export interface Step {
  from: string;
  type: string;
  to: string;
}
/**
 * The pseudo type of a correlation evidence step that is an observed call (monitoring saw `from`'s
 * calls to `to` slow), not a stored relationship: the API's wire value (engine/correlation/observed.ts;
 * test/viz/correlation.browser.test.ts pins them equal).
 */
export const OBSERVED_CALL = 'OBSERVED_CALL';
export interface RedundancyGroup {
  relationship: string;
  minAvailable: number | string;
  members: number;
  required: number;
  available: number;
  breached: boolean;
  failed: Step[];
}
export interface ImpactedCI {
  id: string;
  class: string;
  name: string;
  environment: string;
  state: 'down' | 'degraded';
  depth: number;
  via: Step[];
  redundancy?: RedundancyGroup[];
  /** With `context: true`: where it stands and the impacted business services it supports (server-computed). */
  location?: string | null;
  services?: string[];
}
export interface ImpactedService {
  id: string;
  name: string;
  criticality: number;
  owner: string | null;
  state: 'down' | 'degraded';
  depth: number;
}
export interface ImpactGroup {
  id: string;
  label: string;
  class: string;
  state: 'down' | 'degraded';
  depth: number | null;
  provider: string | null;
  count: number;
  members: string[];
}
export interface ImpactAnswer {
  seq?: number;
  origins: { id: string; effect: 'down' | 'degraded'; state: 'down' | 'degraded'; location?: string | null; services?: string[] }[];
  impacted: ImpactedCI[];
  services: ImpactedService[];
  counts: { down: number; degraded: number; byClass: Record<string, { down: number; degraded: number }> };
  cycles?: string[][];
  groups?: { maxNodes: number; total: number; visible: number; pass: number; groups: ImpactGroup[] };
}
export interface ImpactRequest {
  origins: { ci: string; effect: 'down' | 'degraded' }[];
  maxDepth?: number;
  relationshipTypes?: string[];
  environments?: string[];
  group?: 'none' | 'auto';
  maxNodes?: number;
  context?: boolean;
}
export interface CI {
  id: string;
  class: string;
  name: string;
  status: string;
  environment: string;
  criticality: number;
  owner?: string | null;
  attributes?: Record<string, unknown>;
  tags?: string[];
  redundancy?: unknown[];
  version?: number;
  createdAt?: string;
  updatedAt?: string;
}
export interface Page<T> {
  items: T[];
  next: string | null;
}
export interface Neighbour {
  direction: 'out' | 'in';
  label: string;
  relationship: Step & { id: string };
  ci: CI;
}
export interface HistoryEvent {
  seq: number;
  at: string;
  actor: string;
  op: string;
  entity: string;
  id: string;
  before: unknown;
  after: unknown;
}
export interface Me {
  name: string;
  role: string;
  permissions: string[];
  auth: boolean;
}
export interface RiskFactor {
  id: string;
  label: string;
  points: number;
  evidence: Record<string, unknown>[];
}
export interface Assessment {
  seq: number;
  computedAt: string;
  approvalsRequired: { role: string; count: number }[];
  blastRadius: ImpactAnswer;
  conflicts: Record<string, unknown>[];
  freezes: Record<string, unknown>[];
  risk: { level: string; score: number; policyVersion?: string; factors: RiskFactor[] };
}
export interface Change {
  id: string;
  title: string;
  type: string;
  state: string;
  description: string;
  version: number;
  targets: { ci: string; effect: 'down' | 'degraded' | 'none' }[];
  window?: { start: string; end: string } | null;
  requester: string;
  assignee: string | null;
  approvals: { by: string; role: string; decision: 'approve' | 'reject'; reason: string; at: string }[];
  assessment: Assessment | null;
  frozenAssessment: unknown;
}
export interface Incident {
  id: string;
  title: string;
  state: string;
  cis: string[];
  priority?: string;
  openedAt?: string;
  /** The CIs that saw the alert ("A's calls to B got slow" is an incident on B observed by A). */
  observedBy?: string[];
}
export interface Candidate {
  id: string;
  class: string;
  name: string;
  score: number;
  factors: { signal: string; value: number; contribution: number; evidence?: Record<string, unknown> }[];
  explains: string[];
  paths: { incidents: string[]; ci: string; steps: Step[] }[];
}
export interface CorrelationAnswer {
  groups: { incidents: string[]; start: string; end: string; candidates: Candidate[] }[];
  unexplained: string[];
  unknownCis: string[];
}

export interface HealthScores {
  score: number;
  completeness: number;
  correctness: number;
  compliance: number;
  cis: number;
}
export type Severity = 'error' | 'warning' | 'info';
export interface AuditFinding {
  rule: string;
  ci?: string;
  relationship?: string;
  severity: Severity;
  message: string;
  evidence: Record<string, unknown>;
}
export interface AuditRun {
  id: string | null;
  seq: number;
  at: string;
  ruleSetHash: string;
  summary: HealthScores & { findings: number; bySeverity: Record<Severity, number> };
  byClass: Record<string, HealthScores>;
  rules: { id: string; category: string; description: string; findings: number }[];
  findings: AuditFinding[];
  /** Set when the stored run kept only the first findings. */
  findingsTotal?: number;
}
export interface AuditTrendPoint {
  id: string;
  at: string;
  seq: number;
  ruleSetHash: string;
  summary: HealthScores;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | undefined | string[]>;
interface CallOpts {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  ifMatch?: number;
  token?: string | null;
}

export function pathOf(name: Endpoint, params: Record<string, string> = {}): string {
  return ENDPOINTS[name].path.replace(/\{([A-Za-z_]+)\}/g, (_m, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`api: ${name} needs parameter "${k}"`);
    return encodeURIComponent(v);
  });
}

export class Api {
  constructor(
    private readonly token: () => string | null,
    private readonly base = '/api/v1',
  ) {}

  async call<T>(name: Endpoint, opts: CallOpts = {}): Promise<T> {
    const { method } = ENDPOINTS[name];
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined || v === '') continue;
      qs.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    const url = `${this.base}${pathOf(name, opts.params)}${qs.size ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = opts.token === undefined ? this.token() : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.ifMatch !== undefined) headers['if-match'] = `"${opts.ifMatch}"`;
    const res = await fetch(url, {
      method: method.toUpperCase(),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) {
      const e = (json as { error?: { code: string; message: string; details: unknown } } | null)?.error;
      throw new ApiError(
        res.status,
        e?.code ?? 'http_error',
        e?.message ?? `${method.toUpperCase()} ${url}: HTTP ${res.status}`,
        e?.details ?? null,
      );
    }
    return json as T;
  }

  me(token?: string | null) {
    return this.call<Me>('me', { token });
  }
  listCis(query: Query) {
    return this.call<Page<CI>>('listCis', { query });
  }
  getCi(id: string) {
    return this.call<CI>('getCi', { params: { id } });
  }
  neighbours(id: string) {
    return this.call<{ id: string; items: Neighbour[] }>('neighbours', { params: { id } });
  }
  /** One page of a CI's events, oldest first; `next` is the seq to pass as `after` for the following page. */
  history(id: string, after = 0, limit = 50) {
    return this.call<{ items: HistoryEvent[]; next: number | null }>('ciHistory', { params: { id }, query: { after, limit } });
  }
  impact(body: ImpactRequest) {
    return this.call<ImpactAnswer>('impact', { body });
  }
  dependencies(id: string) {
    return this.call<{ ci: string; dependencies: (CI & { depth: number; via: Step[] })[] }>('dependencies', { params: { id } });
  }
  spof(id: string) {
    return this.call<{
      ci: string;
      spofs: { id: string; class: string; name: string; depth: number; via: Step[]; kind: 'hard' | 'group' }[];
    }>('spof', { params: { id } });
  }
  relationships(query: Query) {
    return this.call<Page<Step & { id: string }>>('listRelationships', { query });
  }
  registry() {
    return this.call<{
      classes: { id: string }[];
      relationshipTypes: { type?: string; id?: string; name?: string; propagates?: boolean }[];
    }>('registry');
  }
  change(id: string) {
    return this.call<Change>('getChange', { params: { id } });
  }
  assessment(id: string) {
    return this.call<{ id: string; state: string; version: number; assessment: Assessment }>('changeAssessment', { params: { id } });
  }
  conflicts(id: string) {
    return this.call<{ id: string; conflicts: Record<string, unknown>[] }>('changeConflicts', { params: { id } });
  }
  vote(id: string, version: number, body: { decision: 'approve' | 'reject'; reason: string }) {
    return this.call<Change>('voteChange', { params: { id }, body, ifMatch: version });
  }
  incidents(query: Query) {
    return this.call<Page<Incident>>('listIncidents', { query });
  }
  correlate(body: Record<string, unknown>) {
    return this.call<CorrelationAnswer>('correlate', { body });
  }
  problemFromCorrelation(body: { incidents: string[]; candidates: Candidate[]; title?: string }) {
    return this.call<{ id: string }>('problemFromCorrelation', { body });
  }
  auditTrend() {
    return this.call<{ runs: AuditTrendPoint[] }>('auditTrend');
  }
  auditRun(id: string) {
    return this.call<AuditRun>('getAuditRun', { params: { id } });
  }
  runAudit() {
    return this.call<AuditRun>('runAudit', { body: {} });
  }
}

/** An error for people: the API's message, plus the validation issues it lists (zod's path + message). */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return String(err);
  const issues = Array.isArray(err.details)
    ? (err.details as { path?: unknown[]; message?: string }[]).filter((i) => typeof i?.message === 'string')
    : [];
  const why = issues.map((i) => `${(i.path ?? []).join('.') || 'input'}: ${i.message}`).join('; ');
  return `${err.code}: ${err.message}${why ? ` — ${why}` : ''}`;
}
