#!/usr/bin/env node
// `pnpm bench <name>`: runs a benchmark from this folder (TypeScript, loaded by tsx).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main(process.argv.slice(2));
