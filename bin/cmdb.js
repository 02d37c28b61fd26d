#!/usr/bin/env node
// The `cmdb` command: loads the TypeScript CLI through tsx's loader (no build step needed).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../api/cli.ts');
await main();
