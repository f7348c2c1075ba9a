/**
 * What a benchmark module hands back, and how results become docs/benchmarks.md.
 *
 * A benchmark is a file `bench/NAME.ts` that exports `run(): Promise<BenchResult>`;
 * bench/run.ts finds it, runs it, and replaces its section of the document.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export interface BenchResult {
  /** The section heading in docs/benchmarks.md, without `## `. */
  title: string;
  /** The section body in Markdown (table and notes). */
  markdown: string;
}

export interface BenchModule {
  run(): Promise<BenchResult>;
}

export function isBenchModule(value: unknown): value is BenchModule {
  return typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function';
}

export const BENCHMARKS_INTRO = `# Benchmarks

Run them with \`npm run bench\` (\`BENCH_MESSAGES=2000 npm run bench\` for a quick pass). Each benchmark
runs Verigate next to a reference implementation in the same run on one machine, alternating the two over
several rounds and taking medians, so that noise hits both alike. The figure that matters is the ratio;
absolute rates depend on the machine and are given for context only. Speed is never asserted in tests.
`;

export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One line naming the machine and runtime the figures come from. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Replaces the `## title` section of `text` (up to the next `## ` heading), or appends it. */
export function replaceSection(text: string, title: string, body: string): string {
  const section = `## ${title}\n\n${body.trim()}\n`;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${title}`);
  if (start === -1) return `${text.trimEnd()}\n\n${section}`;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end === -1) end = lines.length;
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = lines.slice(end).join('\n').trim();
  return `${before}\n\n${section}${after ? `\n${after}\n` : ''}`;
}

/** Writes each result into its own section of `file`, creating the file with the intro if needed. */
export function writeResults(file: string, results: readonly BenchResult[]): void {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : BENCHMARKS_INTRO;
  for (const result of results) text = replaceSection(text, result.title, result.markdown);
  writeFileSync(file, text);
}
