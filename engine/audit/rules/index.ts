/** The built-in audit rules, in report order (completeness, correctness, compliance). */
import { requiredAttributes } from './required-attributes.ts';
import { missingOwner } from './missing-owner.ts';
import { orphan } from './orphan.ts';
import { duplicate } from './duplicate.ts';
import { stale } from './stale.ts';
import { retiredDependency } from './retired-dependency.ts';
import { dependencyCycle } from './dependency-cycle.ts';
import { environmentCrossing } from './environment-crossing.ts';
import { certificateExpiry } from './certificate-expiry.ts';
import { singlePointOfFailure } from './single-point-of-failure.ts';
import { redundancyUnderprovisioned } from './redundancy-underprovisioned.ts';
import { unsupported } from './unsupported.ts';
import type { BuiltinRule } from './common.ts';

export const BUILTIN_RULES: readonly BuiltinRule[] = [
  requiredAttributes,
  missingOwner,
  orphan,
  duplicate,
  stale,
  retiredDependency,
  dependencyCycle,
  environmentCrossing,
  certificateExpiry,
  singlePointOfFailure,
  redundancyUnderprovisioned,
  unsupported,
];

export { type BuiltinRule } from './common.ts';
