// The PostgreSQL backend on a real server: a throwaway cluster (test/support/postgres.ts), one fresh
// database per group. Skipped with one line where PostgreSQL is not installed (a failure when CI=true).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool, query } from '../../gateway/storage/postgres';
import { migrateVerigate } from '../../verifier/store/postgres/schema';
import { runCli } from '../support/cli-process';
import { available, postgres } from '../support/components';
import { startPostgres, type ThrowawayPostgres } from '../support/postgres';

const runs = available(postgres(), 'PostgreSQL storage');
let server: ThrowawayPostgres;
let databases = 0;
/** A fresh, empty database on the throwaway server. */
const freshDatabase = () => server.createDatabase(`verigate_${++databases}`);

describe.runIf(runs)('PostgreSQL storage', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('migrations', () => {
    it('applies each migration once when several instances migrate one fresh database at once', async () => {
      const url = await freshDatabase();
      const pools = Array.from({ length: 6 }, () => openPool(url, { max: 2 }));
      try {
        const runs = await Promise.all(pools.map((pool) => migrateVerigate(pool)));
        const applied = runs.flat();
        // Every migration ran exactly once, on one instance or another; the others found it recorded.
        expect(applied.length).toBe(new Set(applied).size);
        const recorded = await query<{ scope: string; version: string }>(pools[0]!, 'SELECT scope, version FROM schema_migrations ORDER BY scope, version');
        expect(recorded.map((r) => `${r.scope}/${r.version}`).sort()).toEqual([...applied].sort());
        expect(applied).toContain('verifier/001-verify.sql');
        expect(applied).toContain('outbox/001-outbox.sql');
        // A later start finds nothing left to do.
        expect(await migrateVerigate(pools[0]!)).toEqual([]);
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
      }
    });

    it('`verigate migrate` brings a database to the schema alone, and finds nothing to do the second time', async () => {
      const url = await freshDatabase();
      const first = runCli(['migrate', '--database', url]);
      expect(await first.exited).toBe(0);
      expect(first.stdout()).toMatch(/^applied \d+ migrations: verifier\/001-verify\.sql, /);
      const second = runCli(['migrate'], { VERIGATE_DATABASE_URL: url });
      expect(await second.exited).toBe(0);
      expect(second.stdout()).toBe('the database is up to date\n');
    });
  });

  describe('settings', () => {
    it('a verifier on a database refuses to start without VERIGATE_CODE_KEY, in one line, exit 2', async () => {
      const url = await freshDatabase();
      const cli = runCli(['verifier', '--verify-port', '0', '--database', url], { VERIGATE_CODE_KEY: '' });
      expect(await cli.exited).toBe(2);
      expect(cli.stderr()).toBe('verigate: bad config: --database needs VERIGATE_CODE_KEY (base64 of 32+ bytes), the same on every instance\n');
    });

    it('a database URL that is not postgres:// is refused naming the setting, without echoing it (it holds a password)', async () => {
      const cli = runCli(['migrate'], { VERIGATE_DATABASE_URL: 'mysql://root:hunter22@db/verigate' });
      expect(await cli.exited).toBe(2);
      expect(cli.stderr()).toBe('verigate: bad config: VERIGATE_DATABASE_URL: must be a postgres:// URL with a host and a database name\n');
    });

    it('`verigate migrate` on an unreachable server fails with exit 1 and never prints the password', async () => {
      const cli = runCli(['migrate', '--database', `postgres://verigate:hunter22@127.0.0.1:${server.port}/no_such_database`]);
      expect(await cli.exited).toBe(1);
      expect(cli.stderr()).toMatch(/^verigate: cannot migrate: .*no_such_database/);
      expect(cli.stderr()).not.toContain('hunter22');
    });
  });
});
