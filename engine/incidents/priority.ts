/**
 * Impact × urgency → priority through a configurable matrix. The default is the ITIL 3×3 table:
 *
 *              urgency: high  medium  low
 *   impact high          P1    P2      P3
 *   impact medium        P2    P3      P4
 *   impact low           P3    P4      P5
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError, zodIssues } from '../errors.ts';
import { Level, Priority, type Level as LevelT, type Priority as PriorityT } from './model.ts';

const Row = z.object({ high: Priority, medium: Priority, low: Priority }).strict();
export const PriorityMatrix = z.object({ high: Row, medium: Row, low: Row }).strict();
export type PriorityMatrix = z.infer<typeof PriorityMatrix>;

export const ITIL_MATRIX: PriorityMatrix = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P5' },
};

export function priorityOf(impact: LevelT, urgency: LevelT, matrix: PriorityMatrix = ITIL_MATRIX): PriorityT {
  Level.parse(impact);
  Level.parse(urgency);
  return matrix[impact][urgency];
}

/** Reads an organisation's matrix (`{ "high": { "high": "P1", … }, … }`). */
export function loadPriorityMatrix(path: string): PriorityMatrix {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`priority matrix: cannot read "${path}": ${(err as Error).message}`);
  }
  const parsed = PriorityMatrix.safeParse(raw);
  if (!parsed.success) throw new InputError(`priority matrix: "${path}" is not a valid matrix`, zodIssues(parsed.error.issues));
  return parsed.data;
}
