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

/** Starts `verigate simulator` on free ports and reads them from its banner. */
export async function startSimulatorProcess(extra: string[] = [], env: Record<string, string> = {}): Promise<CliProcess & { smppPort: number; httpPort: number }> {
  const cli = runCli(['simulator', '--sim-port', '0', '--smpp-port', '0', '--log-level', 'warn', ...extra], env);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const smpp = /smpp:\/\/\S+:(\d+)\s/.exec(cli.stdout());
    const http = /Control API\s+http:\/\/[\d.]+:(\d+)\//.exec(cli.stdout());
    if (smpp && http) return { ...cli, smppPort: Number(smpp[1]), httpPort: Number(http[1]) };
    if (cli.child.exitCode !== null || Date.now() > deadline) {
      await cli.kill('SIGKILL');
      throw new Error(`simulator did not start:\n${cli.stdout()}\n${cli.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `verigate start` (simulator + verifier) on free ports and reads them from its banner. */
export async function startStackProcess(extra: string[] = [], env: Record<string, string> = {}): Promise<CliProcess & { verifyPort: number; simPort: number; smppPort: number }> {
  const cli = runCli(['start', '--verify-port', '0', '--sim-port', '0', '--smpp-port', '0', '--log-level', 'warn', ...extra], env);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const out = cli.stdout();
    const verify = /Verify API\s+http:\/\/[\d.]+:(\d+)\//.exec(out);
    const sim = /Control API\s+http:\/\/[\d.]+:(\d+)\//.exec(out);
    const smpp = /smpp:\/\/\S+:(\d+)\s/.exec(out);
    if (verify && sim && smpp && /^Try:/m.test(out)) return { ...cli, verifyPort: Number(verify[1]), simPort: Number(sim[1]), smppPort: Number(smpp[1]) };
    if (cli.child.exitCode !== null || Date.now() > deadline) {
      await cli.kill('SIGKILL');
      throw new Error(`verigate start did not start:\n${cli.stdout()}\n${cli.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
