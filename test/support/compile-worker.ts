import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * Bundles a TypeScript entry of test/support into one plain JavaScript file, so a test can run it as a
 * child process at the speed of node (no transpiling at each spawn). Returns the file's path.
 */
export async function compileWorker(name = 'gateway-worker'): Promise<string> {
  // Beside the CLI's bundle, one folder below the root as gateway/assets.ts expects, so that its data
  // files and its external packages resolve as the sources' do.
  const outfile = fileURLToPath(new URL(`../../dist/test-${name}.mjs`, import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
    outfile, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
  });
  return outfile;
}
