#!/usr/bin/env node
// Runs the compiled CLI (dist/verigate.js, built by `npm install` through the `prepare` script, or
// `npm run build`). Source maps point stack traces at the TypeScript sources.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/verigate.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('verigate: dist/verigate.js is missing: run `npm run build` (npm install does it)\n');
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(compiled.href);
