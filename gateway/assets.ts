import { fileURLToPath } from 'node:url';

/**
 * The absolute path of a data file shipped in the package (SQL migrations, message templates), given
 * from the package root. This file sits one folder below the root, and so does the compiled bundle
 * (dist/verigate.js), so the same relative step finds the root from either.
 */
export function assetPath(fromRoot: string): string {
  return fileURLToPath(new URL(`../${fromRoot}`, import.meta.url));
}
