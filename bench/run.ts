/**
 * `npm run bench`: runs every benchmark module in bench/ (a `bench/NAME.ts`
 * exporting `run(): Promise<BenchResult>`) one after another, then writes each
 * one's section of docs/benchmarks.md. BENCH_ONLY=name[,name] runs a subset.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './lib/child-server';
import { isBenchModule, writeResults, type BenchResult } from './lib/results';

const benchDir = path.join(repoRoot, 'bench');
const output = path.join(repoRoot, 'docs', 'benchmarks.md');

async function main(): Promise<void> {
  const only = process.env['BENCH_ONLY']?.split(',').map((s) => s.trim()).filter(Boolean);
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
    .filter((f) => !only || only.includes(path.basename(f, '.ts')))
    .sort();
  if (files.length === 0) throw new Error(`no benchmark in ${benchDir}${only ? ` matching ${only.join(', ')}` : ''}`);

  const results: BenchResult[] = [];
  for (const file of files) {
    const module: unknown = await import(pathToFileURL(path.join(benchDir, file)).href);
    if (!isBenchModule(module)) throw new Error(`bench/${file} does not export run(): Promise<BenchResult>`);
    results.push(await module.run());
  }
  writeResults(output, results);
  console.log(`wrote ${path.relative(repoRoot, output)}`);
}

main().then(
  // Children are already stopped; exit so that no stray handle keeps the process up.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
