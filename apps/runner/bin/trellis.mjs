#!/usr/bin/env node
// The `trellis` command. The workspace ships TypeScript sources; tsx loads them.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
