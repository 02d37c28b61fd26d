import { describe, expect, it } from 'vitest';
import { convert, parseFormat } from '../../engine/importers/index.ts';
import { InputError } from '../../engine/errors.ts';
import { fixtureFiles } from './helpers.ts';

describe('importer dispatch', () => {
  it('accepts each format it knows by name', () => {
    for (const f of ['kubernetes', 'backstage', 'terraform', 'servicenow']) expect(parseFormat(f)).toBe(f);
  });

  it('refuses an unknown format, naming the ones it knows', () => {
    expect(() => parseFormat('puppet')).toThrow('convert: unknown format "puppet" (expected kubernetes, backstage, terraform, servicenow)');
  });

  it('validates a mapping file and names the bad field', () => {
    const files = fixtureFiles('terraform');
    expect(() => convert('terraform', files, { mapping: { aws_instance: 'not a class' } })).toThrow(InputError);
    expect(() => convert('terraform', files, { mapping: { aws_instance: 'not a class' } })).toThrow(
      'convert: mapping file, field "aws_instance": must be a PascalCase class id',
    );
    expect(() =>
      convert('servicenow', fixtureFiles('servicenow'), { mapping: { relationships: { 'A::B': { type: 'depends' } } } }),
    ).toThrow('field "relationships.A::B.type"');
    expect(() => convert('kubernetes', fixtureFiles('kubernetes'), { mapping: {} })).toThrow(
      '--mapping applies to terraform and servicenow, not kubernetes',
    );
  });

  it('passes the converter options through and reports progress up to the total', () => {
    const seen: [number, number][] = [];
    const { document } = convert('kubernetes', fixtureFiles('kubernetes'), { cluster: 'c1', onProgress: (d, t) => seen.push([d, t]) });
    expect(document.cis[0]!.id.startsWith('k8s:c1:')).toBe(true);
    expect(seen.at(-1)![0]).toBe(seen.at(-1)![1]);
  });
});
