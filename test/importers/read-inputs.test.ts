/**
 * Which files `cmdb convert --from FORMAT DIR` reads from a directory (api/commands/convert.ts over
 * engine/importers/formats.ts): each format's file endings, case-insensitively, in subdirectories
 * too, hidden entries skipped — and a clear error naming the endings when nothing matches.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInputs } from '../../api/commands/convert.ts';
import { InputError } from '../../engine/errors.ts';
import { FORMATS } from '../../engine/importers/index.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('cmdb-read-inputs-');
afterAll(() => tmp.cleanup());

describe('reading a directory of converter input', () => {
  const dir = join(tmp.dir, 'in');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  mkdirSync(join(dir, '.git'), { recursive: true });
  for (const name of ['a.yaml', 'b.YML', 'c.json', 'd.tfstate', 'e.csv', 'notes.txt', '.hidden.yaml', '.git/x.yaml', 'sub/f.yml'])
    writeFileSync(join(dir, name), 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: x }\n');

  const read = async (format: (typeof FORMATS)[number]) => (await readInputs([dir], format)).map((f) => relative(dir, f.path));

  it("reads each format's file endings, in any case and in subdirectories, and skips hidden entries", async () => {
    expect(await read('kubernetes')).toEqual(['a.yaml', 'b.YML', 'c.json', 'sub/f.yml']);
    expect(await read('backstage')).toEqual(['a.yaml', 'b.YML', 'sub/f.yml']);
    expect(await read('terraform')).toEqual(['c.json', 'd.tfstate']);
    expect(await read('servicenow')).toEqual(['e.csv']);
  });

  it('refuses a directory with no input of the format, naming the endings it looked for', async () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'x.yaml'), '{}\n');
    await expect(readInputs([empty], 'servicenow')).rejects.toThrow(
      new InputError(`convert: no servicenow input in ${empty} (looked for .csv)`),
    );
    await expect(readInputs([empty], 'terraform')).rejects.toThrow('(looked for .tfstate, .json)');
  });
});
