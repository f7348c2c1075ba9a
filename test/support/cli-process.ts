import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/verigate.js', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `verigate ARGS` as a real child process. */
export function runCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

const BANNER_PORTS = {
  smppPort: /smpp:\/\/\S+:(\d+)\s/,
  simPort: /Control API\s+http:\/\/[\d.]+:(\d+)\//,
  verifyPort: /Verify API\s+http:\/\/[\d.]+:(\d+)\//,
};
type BannerPort = keyof typeof BANNER_PORTS;

/** Runs `verigate ARGS` and waits for its banner ("Try:"), reading the named ports from it. */
async function startFromBanner<K extends BannerPort>(args: string[], env: Record<string, string>, ports: K[]): Promise<CliProcess & Record<K, number>> {
  // Quiet by default; a test's own --log-level comes later and wins.
  const [command, ...rest] = args;
  const cli = runCli([command!, '--log-level', 'warn', ...rest], env);
  // Below vitest's 20 s per test, so a start that never comes fails with the process's output, not a bare timeout.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const out = cli.stdout();
    if (/^Try:/m.test(out)) {
      const found = Object.fromEntries(ports.map((name) => [name, Number(BANNER_PORTS[name].exec(out)?.[1])])) as Record<K, number>;
      return { ...cli, ...found };
    }
    if (cli.child.exitCode !== null || Date.now() > deadline) {
      await cli.kill('SIGKILL');
      throw new Error(`verigate ${args[0]} did not start:\n${cli.stdout()}\n${cli.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `verigate simulator` on free ports and reads them from its banner. */
export async function startSimulatorProcess(extra: string[] = [], env: Record<string, string> = {}): Promise<CliProcess & { smppPort: number; httpPort: number }> {
  const cli = await startFromBanner(['simulator', '--sim-port', '0', '--smpp-port', '0', ...extra], env, ['smppPort', 'simPort']);
  return { ...cli, httpPort: cli.simPort };
}

/** Starts `verigate start` (simulator + verifier) on free ports and reads them from its banner. */
export function startStackProcess(extra: string[] = [], env: Record<string, string> = {}): Promise<CliProcess & { verifyPort: number; simPort: number; smppPort: number }> {
  return startFromBanner(['start', '--verify-port', '0', '--sim-port', '0', '--smpp-port', '0', ...extra], env, ['verifyPort', 'simPort', 'smppPort']);
}

/** Starts `verigate verifier` on a free port, pointed at carriers with --smpp and --voice-api in `extra`. */
export function startVerifierProcess(extra: string[] = [], env: Record<string, string> = {}): Promise<CliProcess & { verifyPort: number }> {
  return startFromBanner(['verifier', '--verify-port', '0', ...extra], env, ['verifyPort']);
}
