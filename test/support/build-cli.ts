// vitest globalSetup: compiles the CLI once per run, so every test that spawns `verigate` runs the
// code under test, and starts as fast as users' installs do.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildCli(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../bin/build.js', import.meta.url))], { stdio: 'inherit' });
}
