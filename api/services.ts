/**
 * The one place that wires the engine's services over one CMDB, for the HTTP app and the CLI
 * alike (DESIGN.md "Layers"): the same change policy, priority matrix, SLA policy and clock reach
 * every service, so a rule configured for the server also holds for `cmdb change …` and the other
 * commands. `loadServiceConfig` reads the organisation's overrides from the environment once;
 * everything else is constructed here and passed in (no module-level state, STYLE.md #17).
 */
import type { Cmdb } from '../engine/cmdb.ts';
import { TokenService } from '../engine/auth/tokens.ts';
import { ChangeService } from '../engine/changes/service.ts';
import { CIService } from '../engine/cis/service.ts';
import { CorrelationService } from '../engine/incidents/correlation-service.ts';
import { IncidentService, ITIL_MATRIX, loadPriorityMatrix, type PriorityMatrix } from '../engine/incidents/index.ts';
import { KnowledgeService } from '../engine/knowledge/index.ts';
import { loadPolicy, type Policy } from '../engine/policy/policy.ts';
import { ProblemService } from '../engine/problems/index.ts';
import { ReleaseService } from '../engine/releases/service.ts';
import { defaultSlaPolicy, loadSlaPolicy, SlaService, type SlaPolicy } from '../engine/sla/index.ts';

/** What an organisation configures; every field has the documented default. */
export interface ServiceConfig {
  /** Change policy (risk, approvals, separation of duties); default engine/policy/default-policy.json. */
  policy: Policy;
  /** Impact × urgency → priority; default the ITIL matrix. */
  matrix: PriorityMatrix;
  /** Response / resolution targets; default engine/sla/default-sla-policy.json. */
  slaPolicy: SlaPolicy;
}

export interface ServiceDeps extends Partial<ServiceConfig> {
  cmdb: Cmdb;
  /** Clock for change windows, SLAs and records (tests pin it). */
  now?: () => Date;
  /** Default: a TokenService over the CMDB's store. */
  tokens?: TokenService;
}

export interface Services {
  readonly cmdb: Cmdb;
  readonly config: ServiceConfig;
  readonly cis: CIService;
  readonly changes: ChangeService;
  readonly releases: ReleaseService;
  readonly incidents: IncidentService;
  readonly problems: ProblemService;
  readonly knowledge: KnowledgeService;
  readonly sla: SlaService;
  readonly correlation: CorrelationService;
  readonly tokens: TokenService;
}

/**
 * The organisation's files named by the environment: `CMDB_POLICY` (change policy, deep-merged
 * over the default), `CMDB_PRIORITY_MATRIX`, `CMDB_SLA_POLICY`. An unreadable or invalid file is
 * an InputError naming it, at start-up rather than at the first request.
 */
export function loadServiceConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServiceConfig {
  return {
    policy: loadPolicy(env.CMDB_POLICY || undefined),
    matrix: env.CMDB_PRIORITY_MATRIX ? loadPriorityMatrix(env.CMDB_PRIORITY_MATRIX) : ITIL_MATRIX,
    slaPolicy: env.CMDB_SLA_POLICY ? loadSlaPolicy(env.CMDB_SLA_POLICY) : defaultSlaPolicy(),
  };
}

/** Builds every service over `cmdb`; fields missing from `deps` take the defaults (not the environment). */
export function createServices(deps: ServiceDeps): Services {
  const { cmdb } = deps;
  const config: ServiceConfig = {
    policy: deps.policy ?? loadPolicy(undefined),
    matrix: deps.matrix ?? ITIL_MATRIX,
    slaPolicy: deps.slaPolicy ?? defaultSlaPolicy(),
  };
  const now = deps.now;
  const changes = new ChangeService({ cmdb, policy: config.policy, ...(now ? { now } : {}) });
  return {
    cmdb,
    config,
    cis: new CIService(cmdb),
    changes,
    releases: new ReleaseService(cmdb, changes),
    incidents: new IncidentService({ cmdb, matrix: config.matrix, now }),
    problems: new ProblemService({ cmdb, now }),
    knowledge: new KnowledgeService({ cmdb }),
    sla: new SlaService({ cmdb, policy: config.slaPolicy, now }),
    correlation: new CorrelationService(cmdb),
    tokens: deps.tokens ?? new TokenService(cmdb),
  };
}
