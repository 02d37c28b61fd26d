/**
 * The SLA policy: response and resolution targets per priority (calendar minutes, 24×7), the
 * fraction of a target after which a running timer is `at_risk`, and the availability target of a
 * business service without its own `availabilityTarget` attribute. Defaults in
 * `default-sla-policy.json`; an organisation passes its own file.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError, zodIssues } from '../errors.ts';

const Target = z.object({ responseMinutes: z.number().positive(), resolutionMinutes: z.number().positive() }).strict();
export const SlaPolicy = z
  .object({
    version: z.string().default('custom'),
    targets: z.object({ P1: Target, P2: Target, P3: Target, P4: Target, P5: Target }).strict(),
    atRiskFraction: z.number().gt(0).lt(1).default(0.75),
    defaultAvailabilityTarget: z.number().gt(0).max(100).default(99.5),
  })
  .strict();
export type SlaPolicy = z.infer<typeof SlaPolicy>;

export function defaultSlaPolicy(): SlaPolicy {
  return SlaPolicy.parse(JSON.parse(readFileSync(new URL('./default-sla-policy.json', import.meta.url), 'utf8')));
}

export function loadSlaPolicy(path: string): SlaPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`sla policy: cannot read "${path}": ${(err as Error).message}`);
  }
  const parsed = SlaPolicy.safeParse(raw);
  if (!parsed.success) throw new InputError(`sla policy: "${path}" is not a valid policy`, zodIssues(parsed.error.issues));
  return parsed.data;
}
