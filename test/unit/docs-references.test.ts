// The docs name files and link documents: each must be in the repository, so a moved file or a missing
// document shows up here rather than as a dead end for a reader.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe.each(documents)('%s', (document) => {
  const text = readFileSync(join(root, document), 'utf8');

  it('names only source files that exist', () => {
    const named = [...text.matchAll(/\b(?:bin|gateway|simulator|verifier|test|bench)\/[\w./-]+\.(?:ts|js|json|sql|md)\b/g)].map((m) => m[0]);
    expect(named.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });

  it('links only documents that exist', () => {
    const linked = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));
    expect(linked.filter((target) => !existsSync(join(root, dirname(document), target)))).toEqual([]);
  });
});
