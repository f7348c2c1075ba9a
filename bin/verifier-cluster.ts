import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { createLogger } from '../gateway/logging/logger';
import { loadCodeKey, parseCodeKey } from '../verifier/code-key';
import { openStorage } from '../verifier/store/open-storage';
import { ConfigError, type Config } from './config';
import { parseRoutes, startVerifier, type Running, type VerifierRoutes } from './verifier-process';

/**
 * `--workers N`: N verifier processes on one machine (node:cluster). The primary prepares the database
 * once (migrations, the code key file), forks the workers, prints one banner, replaces a worker that dies
 * and forwards SIGTERM for a graceful drain. Each worker is a whole verifier: its own connection to the
 * database, its own SMPP binds and outbox dispatcher (the outbox leases keep two dispatchers off one row,
 * as for verifiers on several machines, docs/scaling.md), and a share of the Verify API port, whose
 * connections the workers accept themselves. /metrics on any worker serves every worker's series, each
 * labelled `worker`.
 */

/** One registry's metrics as `getMetricsAsJSON` gives them, which is what `AggregatorRegistry.aggregate` merges. */
type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

type ToWorker =
  | { type: 'verigate:start'; slot: number; config: Config; routes: VerifierRoutes }
  | { type: 'verigate:local-metrics?'; id: number }
  | { type: 'verigate:metrics'; id: number; text?: string; error?: string };

type ToPrimary =
  | { type: 'verigate:hello' }
  | { type: 'verigate:ready'; lines: string[]; port: number }
  | { type: 'verigate:failed'; message: string; badConfig: boolean }
  | { type: 'verigate:metrics?'; id: number }
  | { type: 'verigate:local-metrics'; id: number; metrics: MetricsJson };

const isMessage = (value: unknown): value is { type: string } => typeof (value as { type?: unknown } | null)?.type === 'string';

/**
 * Sends unless the other side's channel has closed (a worker that died, a primary that is gone): a send on a
 * closed channel would be an 'error' event nobody handles. What it carried is then moot, or times out.
 */
function sendToWorker(worker: Worker, message: ToWorker): void {
  if (worker.isConnected()) worker.send(message, undefined, () => undefined);
}

function sendToPrimary(message: ToPrimary, done?: () => void): void {
  if (process.connected) process.send!(message, undefined, undefined, () => done?.());
  else done?.();
}

/** A worker that fails to start is not replaced at once: the pause doubles from here up to RESTART_MAX_MS. */
const RESTART_MIN_MS = 250;
const RESTART_MAX_MS = 30_000;
/** A worker that ran this long before it died is restarted after the shortest pause again. */
const STABLE_MS = 30_000;
/** How long the primary waits for a worker's own metrics before the scrape fails (it never shows a part as the whole). */
const METRICS_TIMEOUT_MS = 3_000;

/** A worker's failure to start, as the primary reports it: its message, and exit 2 for a bad setting. */
export class WorkerStartError extends Error {
  constructor(message: string, readonly badConfig: boolean) {
    super(message);
  }
}

/** Migrations and the code key file, once, before any worker opens the database. */
async function prepareStorage(config: Config, logger: Logger): Promise<void> {
  if (!config.database && config.data === ':memory:') throw new ConfigError('--workers: several verifier processes need one database on disk (--data FILE or --database), not :memory:');
  const storage = await openStorage(config.database ? { databaseUrl: config.database } : { dataFile: config.data }, logger);
  try {
    await loadCodeKey({ given: config.codeKey ? parseCodeKey(config.codeKey) : undefined, dataFile: config.data, secrets: storage.secrets, logger });
  } finally {
    await storage.close();
  }
}

/** Starts `count` verifier workers sharing `config.verifyPort`; resolves once every one answers, or rejects with the first failure. */
export async function startVerifierCluster(config: Config, logger: Logger, routes: VerifierRoutes, count: number): Promise<Running & { port: number }> {
  parseRoutes(routes);
  const log = logger.child({ component: 'cluster' });
  await prepareStorage(config, log);

  const registry = new Registry();
  const restarts = new Counter({ name: 'verigate_cluster_worker_restarts_total', help: 'Verifier workers replaced after they died', registers: [registry] });
  const up = new Gauge({ name: 'verigate_cluster_workers', help: 'Verifier workers running and answering', registers: [registry] });
  const ready = new Map<number, Worker>();
  const pendingMetrics = new Map<number, (metrics: MetricsJson) => void>();
  let nextRequest = 0;
  let stopping = false;
  let first: { lines: string[]; port: number } | undefined;
  let settleStart: ((error?: Error) => void) | undefined;
  const started = new Promise<void>((resolve, reject) => {
    let waiting = count;
    settleStart = (error) => {
      if (error) reject(error);
      else if (--waiting === 0) resolve();
    };
  });

  /** Every running worker's own metrics and the primary's, merged (series differ by their `worker` label). */
  const clusterMetrics = async (): Promise<string> => {
    up.set(ready.size);
    const parts = await Promise.all([...ready.values()].map((worker) => new Promise<MetricsJson>((resolve, reject) => {
      const id = nextRequest++;
      const timer = setTimeout(() => {
        pendingMetrics.delete(id);
        reject(new Error(`verifier worker ${worker.id} did not report its metrics`));
      }, METRICS_TIMEOUT_MS);
      pendingMetrics.set(id, (metrics) => {
        clearTimeout(timer);
        pendingMetrics.delete(id);
        resolve(metrics);
      });
      sendToWorker(worker, { type: 'verigate:local-metrics?', id });
    })));
    return AggregatorRegistry.aggregate([...parts, await registry.getMetricsAsJSON()]).metrics();
  };

  const fork = (slot: number, pauseMs: number): void => {
    const worker = cluster.fork();
    const bornAt = Date.now();
    worker.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      const m = message as ToPrimary;
      switch (m.type) {
        case 'verigate:hello':
          sendToWorker(worker, { type: 'verigate:start', slot, config, routes });
          break;
        case 'verigate:ready':
          ready.set(slot, worker);
          first ??= m;
          log.info({ worker: slot, pid: worker.process.pid }, 'verifier worker ready');
          settleStart?.();
          break;
        case 'verigate:failed':
          log.error({ worker: slot }, `verifier worker could not start: ${m.message}`);
          settleStart?.(new WorkerStartError(m.message, m.badConfig));
          break;
        case 'verigate:metrics?':
          clusterMetrics().then(
            (text) => sendToWorker(worker, { type: 'verigate:metrics', id: m.id, text }),
            (error: Error) => sendToWorker(worker, { type: 'verigate:metrics', id: m.id, error: error.message }),
          );
          break;
        case 'verigate:local-metrics':
          pendingMetrics.get(m.id)?.(m.metrics);
          break;
      }
    });
    worker.on('exit', (code, signal) => {
      if (ready.get(slot) === worker) ready.delete(slot);
      if (stopping) return;
      if (!first) {
        // Before the cluster ever answered: a failure to start, not a crash to ride out.
        settleStart?.(new WorkerStartError(`a verifier worker exited while starting (${signal ?? `code ${code}`})`, false));
        return;
      }
      const pause = Date.now() - bornAt >= STABLE_MS ? RESTART_MIN_MS : Math.min(RESTART_MAX_MS, pauseMs * 2);
      restarts.inc();
      log.error({ worker: slot, pid: worker.process.pid, code, signal }, `verifier worker exited; starting another in ${pause} ms`);
      setTimeout(() => {
        if (!stopping) fork(slot, pause);
      }, pause).unref();
    });
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    // Each worker drains (its API, its outbox sends in flight) and unbinds, as a single verifier does on SIGTERM.
    await Promise.all(Object.values(cluster.workers ?? {}).map((worker) => new Promise<void>((resolve) => {
      if (!worker || worker.isDead()) return resolve();
      worker.once('exit', () => resolve());
      worker.process.kill('SIGTERM');
    })));
  };

  // Each worker accepts from the shared socket itself (the kernel picks who), unless NODE_CLUSTER_SCHED_POLICY
  // says otherwise. Round robin through the primary strands a connection handed to a worker that dies before
  // taking it (its client waits for its own timeout; measured on every kill), and costs the primary CPU per connection.
  if (!process.env['NODE_CLUSTER_SCHED_POLICY']) cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ silent: false });
  for (let slot = 1; slot <= count; slot++) fork(slot, RESTART_MIN_MS / 2);
  try {
    await started;
  } catch (error) {
    await stop();
    throw error;
  }
  settleStart = undefined;
  return {
    port: first!.port,
    lines: [...first!.lines, `  Workers           ${count} verifier processes (pids ${[...ready.entries()].sort(([a], [b]) => a - b).map(([, w]) => w.process.pid).join(', ')}), one port, one database`],
    stop,
  };
}

/**
 * The registry of a worker: its own metrics (labelled with its slot) for the primary to gather, and
 * /metrics answered with every worker's, through the primary.
 */
class WorkerRegistry extends Registry {
  readonly #waiting = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  #next = 0;

  override metrics(): Promise<string> {
    if (!process.connected) return Promise.reject(new Error('the first process, which gathers the metrics, is gone'));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      sendToPrimary({ type: 'verigate:metrics?', id });
    });
  }

  answered(id: number, text: string | undefined, error: string | undefined): void {
    const waiting = this.#waiting.get(id);
    this.#waiting.delete(id);
    if (text !== undefined) waiting?.resolve(text);
    else waiting?.reject(new Error(error ?? 'no metrics'));
  }
}

/** The worker side: asks the primary for its settings, runs one verifier, reports ready, drains on SIGTERM. */
export function runVerifierWorker(): void {
  let registry: WorkerRegistry | undefined;
  let running: Running | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= (running?.stop() ?? Promise.resolve()).then(() => process.exit(0), () => process.exit(1)));
  // SIGINT too: a terminal's Ctrl-C reaches the whole process group. A worker whose primary is gone stops as well.
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    const m = message as ToWorker;
    if (m.type === 'verigate:local-metrics?') {
      const own = registry ? registry.getMetricsAsJSON() : Promise.resolve([]);
      void own.then((metrics) => sendToPrimary({ type: 'verigate:local-metrics', id: m.id, metrics }));
    } else if (m.type === 'verigate:metrics') {
      registry?.answered(m.id, m.text, m.error);
    } else if (m.type === 'verigate:start') {
      const logger = createLogger({ level: m.config.logLevel }).child({ worker: m.slot });
      registry = new WorkerRegistry();
      registry.setDefaultLabels({ worker: String(m.slot) });
      startVerifier(m.config, logger, m.routes, registry).then(
        (verifier) => {
          running = verifier;
          sendToPrimary({ type: 'verigate:ready', lines: verifier.lines, port: verifier.port });
        },
        (error: Error & { code?: string }) => {
          const message = error.code === 'EADDRINUSE' ? `port in use (${error.message})` : error.message;
          sendToPrimary({ type: 'verigate:failed', message, badConfig: error instanceof ConfigError }, () => process.exit(1));
        },
      );
    }
  });
  sendToPrimary({ type: 'verigate:hello' });
}
