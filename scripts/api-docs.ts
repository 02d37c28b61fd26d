/** `npm run docs:api`: rewrites the generated tables of docs/api.md from the route table. */
import { readFileSync, writeFileSync } from 'node:fs';
import { rewriteDoc } from '../api/route-docs.ts';

const file = new URL('../docs/api.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = rewriteDoc(before);
writeFileSync(file, after);
console.log(after === before ? 'docs/api.md: already current' : 'docs/api.md: generated tables rewritten');
