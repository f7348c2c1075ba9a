/**
 * The child side of child-server.ts: starts a server, prints `LISTENING <port>`,
 * and stops it on SIGTERM/SIGINT or when the parent goes away (stdin closes),
 * then exits normally so that `--cpu-prof` can write its profile.
 */
export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 5_000;

export async function serveUntilTold(start: () => Promise<RunningServer>): Promise<void> {
  const server = await start();
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => process.exit(1), STOP_TIMEOUT_MS);
    server.stop().then(
      () => {
        clearTimeout(forced);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
  process.stdout.write(`LISTENING ${server.port}\n`);
}
