// A throwaway PostgreSQL cluster for a test suite: Debian's binaries (`postgresql` package), a cluster
// in a temporary folder made by initdb, a server on a free loopback port, removed when the suite stops.
// initdb and postgres refuse to run as root, so as root they run as the `postgres` user Debian creates.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The folder holding initdb and postgres: PG_BIN, else the newest of Debian's /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string | undefined {
  const candidates = process.env['PG_BIN']
    ? [process.env['PG_BIN']]
    : (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`);
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
}

export interface ThrowawayPostgres {
  /** postgres://verigate@127.0.0.1:PORT/postgres (trust authentication on loopback). */
  url: string;
  port: number;
  /** The postmaster's pid: the sessions' backends are its children (a benchmark sums their CPU). */
  pid: number;
  /** A fresh, empty database on this server, by URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Who runs the server: ourselves, or, as root, the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root and there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
  return { uid, gid: id('-g') };
}

/** Durability off: a throwaway cluster, never a measure of PostgreSQL's speed with real settings. */
const THROWAWAY_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

/** `settings` override THROWAWAY_SETTINGS and add to them (a benchmark turns fsync back on). */
export async function startPostgres(binDir = postgresBinDir(), settings: Record<string, string> = {}): Promise<ThrowawayPostgres> {
  if (!binDir) throw new Error('PostgreSQL binaries not found: apt-get install postgresql, or set PG_BIN');
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'verigate-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const init = spawnSync(join(binDir, 'initdb'), ['-D', data, '-U', 'verigate', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    encoding: 'utf8', ...user,
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const server: ChildProcess = spawn(join(binDir, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200',
    ...Object.entries({ ...THROWAWAY_SETTINGS, ...settings }).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ], { stdio: ['ignore', 'ignore', 'pipe'], ...user });
  let log = '';
  server.stderr!.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4_000); });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const psql = (sql: string, db = 'postgres') => spawnSync(join(binDir, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'verigate', '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (psql('SELECT 1').status === 0) break;
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = (db: string) => `postgres://verigate@127.0.0.1:${port}/${db}`;
  return {
    url: url('postgres'),
    port,
    pid: server.pid!,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const created = psql(`CREATE DATABASE ${name}`);
      if (created.status !== 0) throw new Error(`CREATE DATABASE ${name}: ${created.stderr}`);
      return url(name);
    },
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown: it ends sessions and exits without waiting for clients.
      if (server.exitCode === null) server.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
