/**
 * Runs a benchmark server in its own Node process, so that the client (in the
 * bench process) and the server each get a core. The child is a TypeScript
 * entry run with `node --import tsx`; it prints `LISTENING <port>` when ready
 * (see server-entry.ts) and exits when told, or when our end of its stdin closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildServerOptions {
  /** Path of the TypeScript entry, absolute or relative to the repository root. */
  entry: string;
  /** Short name used in errors and CPU profile file names. */
  label: string;
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface ChildServer {
  readonly label: string;
  readonly port: number;
  readonly pid: number;
  /** CPU time (user + system, every thread) the child has used so far, in ms; undefined where /proc is not available. */
  cpuTimeMs(): number | undefined;
  /** Asks the child to stop (SIGTERM), then kills it if it has not exited in time. Idempotent. */
  stop(): Promise<void>;
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const READY = /^LISTENING (\d+)$/m;
const OUTPUT_KEPT = 8_000;

/** Every child still running; killed outright if the bench process exits some other way. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  installExitHook();
  const entry = path.resolve(repoRoot, options.entry);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', entry], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout = (stdout + chunk).slice(-OUTPUT_KEPT); });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-OUTPUT_KEPT);
    process.stderr.write(`[${options.label}] ${chunk}`);
  });
  // The child's stdin is its lifeline; EPIPE on it after the child exits is expected.
  child.stdin!.on('error', () => undefined);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timeout = options.stopTimeoutMs ?? 10_000;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), timeout); });
        if ((await Promise.race([exited, late])) === 'late') {
          child.kill('SIGKILL');
          await exited;
        }
        clearTimeout(timer);
      }
      child.stdin!.destroy();
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const poll = setInterval(() => {
        const ready = READY.exec(stdout);
        if (ready) {
          clearInterval(poll);
          resolve(Number(ready[1]));
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearInterval(poll);
          reject(new Error(`${options.label} exited (${child.exitCode ?? child.signalCode}) before listening:\n${stdout}${stderr}`));
        } else if (Date.now() > deadline) {
          clearInterval(poll);
          reject(new Error(`${options.label} did not report a port within ${options.startTimeoutMs ?? 30_000} ms:\n${stdout}${stderr}`));
        }
      }, 20);
      child.once('error', (error) => {
        clearInterval(poll);
        reject(error);
      });
    });
    const pid = child.pid ?? -1;
    return { label: options.label, port, pid, stop, cpuTimeMs: () => processCpuTimeMs(pid) };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Linux clock ticks per second for /proc times (USER_HZ, 100 on every mainstream kernel). */
const USER_HZ = 100;

/** The fields of /proc/PID/stat after the command name (which may hold spaces), from field 3 (state); undefined once gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of a whole process from /proc/PID/stat, in ms. */
export function processCpuTimeMs(pid: number): number | undefined {
  const fields = statFields(pid);
  const utime = Number(fields?.[11]);
  const stime = Number(fields?.[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : undefined;
}

/**
 * CPU of a process and of its children, in ms: its own time, the time of the children it reaped
 * (cutime, cstime) and that of the children still running (a PostgreSQL server's backends).
 */
export function processTreeCpuTimeMs(pid: number): number | undefined {
  const own = statFields(pid);
  if (!own) return undefined;
  const ticks = (fields: string[]) => Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  let total = ticks(own);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    // Field 4, the parent's pid, is the second after the command name.
    if (fields && Number(fields[1]) === pid) total += ticks(fields);
  }
  return Number.isFinite(total) ? (total * 1000) / USER_HZ : undefined;
}
