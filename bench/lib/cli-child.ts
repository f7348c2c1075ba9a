/**
 * `verigate …` as users run it: the compiled CLI (bin/verigate.js) in a child process with the settings
 * given and nothing else, read ready from its banner. Unlike child-server.ts, nothing is stripped: the
 * defaults (file database, info logging, fraud guard, window) are what is measured.
 */
import { spawn } from 'node:child_process';
import { processTreeCpuTimeMs, repoRoot } from './child-server';

export interface CliChild {
  pid: number;
  /** Ports read from the banner, by label ("Verify API", "Control API", "SMPP (SMSC)"). */
  ports: Record<string, number>;
  /** CPU of the process and of its children (the workers of `--workers`), in ms. */
  cpuTimeMs(): number;
  stop(): Promise<void>;
}

const PORT_LINES: Record<string, RegExp> = {
  'SMPP (SMSC)': /SMPP \(SMSC\)\s+\S+:(\d+)\s/,
  'Control API': /Control API\s+http:\/\/[\d.]+:(\d+)\//,
  'Verify API': /Verify API\s+http:\/\/[\d.]+:(\d+)\//,
};

export async function startCli(args: string[], env: Record<string, string> = {}): Promise<CliChild> {
  const child = spawn(process.execPath, ['bin/verigate.js', ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => { out = (out + chunk.toString()).slice(-20_000); });
  child.stderr.on('data', (chunk: Buffer) => { err = (err + chunk.toString()).slice(-8_000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!/^Try:/m.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`verigate ${args[0]} did not start:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const ports = Object.fromEntries(Object.entries(PORT_LINES).flatMap(([label, re]) => {
    const port = re.exec(out)?.[1];
    return port ? [[label, Number(port)]] : [];
  }));
  return {
    pid: child.pid!,
    ports,
    cpuTimeMs: () => processTreeCpuTimeMs(child.pid!) ?? NaN,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(late);
    },
  };
}
