/**
 * Configuration audit: pure rules over the mirror graph, the impact index, the registry and the CI
 * documents handed to them; health scores; the event hash chain; reports. Never imports a store,
 * engine/cmdb.ts or a record service (eslint enforces it): engine/verification/ does the I/O.
 */
export * from './types.ts';
export { runAudit, failsOn, type AuditResult, type RuleSummary } from './run.ts';
export { compileRuleSet, parseRuleFile, RuleFile, UserRule, ConditionSchema, type RuleSet, type Condition } from './rule-file.ts';
export { healthScores, findingSubject, type HealthScores, type Scores } from './scores.ts';
export {
  canonicalJson,
  sha256Hex,
  eventHash,
  chainEvent,
  verifyChain,
  GENESIS_HASH,
  type ChainVerification,
  type HashableEvent,
} from './hash-chain.ts';
export { BUILTIN_RULES } from './rules/index.ts';
