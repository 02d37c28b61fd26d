/** `cmdb convert` and `cmdb import --from/--source/--prune`, run as a user runs them, on a SQLite file. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cmdbAt } from '../cli-harness.ts';
import { FIXTURES, tempDir } from './helpers.ts';

const tmp = tempDir('cmdb-import-cli-');
afterAll(() => tmp.cleanup());
let n = 0;
const store = () => `sqlite:${join(tmp.dir, `cli-${++n}.sqlite`)}`;

describe('cmdb convert and import --from', () => {
  it('converts a directory to the import format, with warnings naming file, document and field on stderr', async () => {
    const out = join(tmp.dir, 'k8s.json');
    const r = await cmdbAt(store(), tmp.dir, 'convert', '--from', 'kubernetes', join(FIXTURES, 'kubernetes'), '--out', out);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { cis: { id: string }[]; relationships: unknown[] };
    expect(doc.cis.map((c) => c.id)).toContain('k8s:shop/deployment/checkout');
    expect(r.stderr).toContain('shop.yaml, document 6, field "spec.template.spec.containers[0].env[3].value": env FRAUD_API_URL');
    // the converted file imports with the plain import
    const plain = await cmdbAt(store(), tmp.dir, 'import', out, '--json');
    expect(JSON.parse(plain.stdout)).toMatchObject({ cis: doc.cis.length, relationships: doc.relationships.length });
  });

  it('follows Backstage Locations to the files they name', async () => {
    const r = await cmdbAt(store(), tmp.dir, 'convert', '--from', 'backstage', join(FIXTURES, 'backstage', 'catalog-info.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('backstage:component/payments/payments');
  });

  it('imports with a source, re-imports without a change, reports and then prunes what the source dropped', async () => {
    const s = store();
    const dir = join(tmp.dir, 'tf');
    mkdirSync(dir);
    const state = JSON.parse(readFileSync(join(FIXTURES, 'terraform', 'shop.tfstate'), 'utf8')) as { resources: { type: string }[] };
    writeFileSync(join(dir, 'shop.tfstate'), JSON.stringify(state));
    const first = JSON.parse((await cmdbAt(s, tmp.dir, 'import', '--from', 'terraform', dir, '--source', 'tf-prod', '--json')).stdout) as {
      created: number;
      seq: number;
    };
    expect(first.created).toBeGreaterThan(0);
    const again = JSON.parse((await cmdbAt(s, tmp.dir, 'import', '--from', 'terraform', dir, '--source', 'tf-prod', '--json')).stdout) as {
      created: number;
      updated: number;
      seq: number;
    };
    expect(again).toMatchObject({ created: 0, updated: 0, seq: first.seq });
    writeFileSync(
      join(dir, 'shop.tfstate'),
      JSON.stringify({ ...state, resources: state.resources.filter((r) => r.type !== 'aws_s3_bucket') }),
    );
    const reported = await cmdbAt(s, tmp.dir, 'import', '--from', 'terraform', dir, '--source', 'tf-prod');
    expect(reported.stdout).toContain(
      '1 CI(s) and 0 relationship(s) of source "tf-prod" are no longer in the input (--prune removes them): tf:8c1e2f4a/module.data.aws_s3_bucket.exports',
    );
    const pruned = await cmdbAt(s, tmp.dir, 'import', '--from', 'terraform', dir, '--source', 'tf-prod', '--prune');
    expect(pruned.stdout).toContain('pruned 1 CI(s) and 0 relationship(s) no longer in source "tf-prod"');
  });

  it('refuses a malformed input with exit code 1 and a message naming file, document and field', async () => {
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: Service\nmetadata:\n  namespace: x\n');
    const r = await cmdbAt(store(), tmp.dir, 'import', '--from', 'kubernetes', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.yaml, document 1, field "metadata.name": missing: a Service needs a name');
  });
});
