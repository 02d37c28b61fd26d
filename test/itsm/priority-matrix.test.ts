/** An organisation's priority matrix, read from a file: used as given, refused clearly when wrong. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ITIL_MATRIX, loadPriorityMatrix, priorityOf } from '../../engine/incidents/priority.ts';
import { InputError } from '../../engine/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-matrix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('priority matrix files', () => {
  it('reads a full matrix and priorityOf uses it', () => {
    const custom = { ...ITIL_MATRIX, high: { high: 'P1', medium: 'P1', low: 'P2' } };
    const m = loadPriorityMatrix(write('ok.json', JSON.stringify(custom)));
    expect(m).toEqual(custom);
    expect(priorityOf('high', 'medium', m)).toBe('P1');
    expect(priorityOf('high', 'medium')).toBe('P2');
  });

  it('names a file it cannot read', () => {
    const path = join(dir, 'absent.json');
    expect(() => loadPriorityMatrix(path)).toThrow(InputError);
    expect(() => loadPriorityMatrix(path)).toThrow(new RegExp(`^priority matrix: cannot read "${path}": ENOENT`));
  });

  it('names a file that is not JSON', () => {
    expect(() => loadPriorityMatrix(write('bad.json', '{ high: '))).toThrow(/^priority matrix: cannot read ".*bad\.json": /);
  });

  it('refuses a matrix with a missing row or an unknown priority, with the zod issues as details', () => {
    const missing = { high: ITIL_MATRIX.high, medium: ITIL_MATRIX.medium };
    let err: unknown;
    try {
      loadPriorityMatrix(write('missing.json', JSON.stringify(missing)));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/^priority matrix: ".*missing\.json" is not a valid matrix$/);
    expect((err as InputError).details).toEqual([expect.objectContaining({ path: ['low'] })]);
    const p9 = { ...ITIL_MATRIX, low: { high: 'P3', medium: 'P4', low: 'P9' } };
    expect(() => loadPriorityMatrix(write('p9.json', JSON.stringify(p9)))).toThrow(/is not a valid matrix/);
    const extra = { ...ITIL_MATRIX, critical: ITIL_MATRIX.high };
    expect(() => loadPriorityMatrix(write('extra.json', JSON.stringify(extra)))).toThrow(/is not a valid matrix/);
  });

  it('refuses an impact or urgency that is not a level', () => {
    expect(() => priorityOf('severe' as never, 'high')).toThrow();
    expect(() => priorityOf('high', 'urgent' as never)).toThrow();
  });
});
