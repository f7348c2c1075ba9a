#!/usr/bin/env node
// Compiles the CLI once into dist/verigate.js (one ESM bundle, packages left external), so starting
// `verigate` costs what a plain node program costs. `npm install` runs it (the `prepare` script) and
// the test suite runs it before any test spawns the CLI. Data files (SQL migrations, templates) are
// read from the source tree at run time (gateway/assets.ts), so the bundle stays code only.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['bin/cli.ts'],
  outfile: 'dist/verigate.js',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
