// The PostgreSQL backend on a real server: a throwaway cluster (test/support/postgres.ts), one fresh
// database per group. Skipped with one line where PostgreSQL is not installed (a failure when CI=true).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool, query, type PgPool } from '../../gateway/storage/postgres';
import { migrateDatabase, migrateVerigate } from '../../verifier/store/postgres/schema';
import { CodeBook } from '../../verifier/codes';
import { PageRateLimiter } from '../../verifier/pages/rate-limiter';
import { takeRateLimits } from '../../verifier/rate-limit-buckets';
import { createSessionTokens } from '../../verifier/session';
import { apiKeySecretHash, apiKeySecretMatches } from '../../verifier/store/api-key-repository';
import { createLogger } from '../../gateway/logging/logger';
import { openStorage as openVerifierStorage } from '../../verifier/store/open-storage';
import { PostgresStorage } from '../../verifier/store/postgres/postgres-storage';
import { applySettings, DEFAULT_SERVICE_SETTINGS } from '../../verifier/service-settings';
import type { Service } from '../../verifier/store/service-repository';
import type { Verification } from '../../verifier/store/verification-repository';
import { runCli } from '../support/cli-process';
import { available, postgres } from '../support/components';
import { ManualClock } from '../support/manual-clock';
import { startPostgres, type ThrowawayPostgres } from '../support/postgres';
import { describeApiKeyContract } from './api-keys-contract';
import { describeFraudContract, describeSecretContract } from './fraud-secrets-contract';
import { describeOutboxContract } from './outbox-contract';
import { describeServiceContract } from './services-contract';
import { describeUnitOfWorkContract } from './unit-of-work-contract';
import { describeVerificationContract } from './verifications-contract';
import { describeAttemptReportContract } from './attempt-reports-contract';
import { describePageHitContract } from './page-hits-contract';
import { describeRateLimitContract } from './rate-limits-contract';
import { describeSessionKeyContract } from './session-keys-contract';
import { describeMessagingConfigurationContract, describeSafeListContract, describeWebhookContract } from './surface-resources-contract';
import { describeTotpContract } from './totp-contract';

const runs = available(postgres(), 'PostgreSQL storage');
let server: ThrowawayPostgres;
let databases = 0;
/** A fresh, empty database on the throwaway server. */
const freshDatabase = () => server.createDatabase(`verigate_${++databases}`);
/** A database migrated once in beforeAll: each contract test opens a copy of it (CREATE DATABASE … TEMPLATE). */
const MIGRATED = 'verigate_migrated';
let admin: PgPool;

/** A fresh copy of the migrated database, by URL: a file copy, a third of what running the migrations costs. */
async function migratedCopy(): Promise<string> {
  const name = `verigate_${++databases}`;
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${MIGRATED} STRATEGY FILE_COPY`);
  return server.url.replace(/\/postgres$/, `/${name}`);
}

/** A contract group's factory: a fresh, migrated, empty PostgreSQL storage for every test. */
async function openStorage(): Promise<{ storage: PostgresStorage; close(): Promise<void> }> {
  const storage = await PostgresStorage.open(await migratedCopy());
  return { storage, close: () => storage.close() };
}

const T0 = Date.UTC(2026, 0, 1);
const ACCOUNT = 'AC' + '0'.repeat(32);

function service(sid: string): Service {
  return { sid, accountSid: ACCOUNT, friendlyName: 'Acme', codeLength: 6, psd2Enabled: false, doNotShareWarningEnabled: false,
    customCodeEnabled: false, verificationTtl: 600, statusCallback: null, settings: DEFAULT_SERVICE_SETTINGS, createdAt: T0, updatedAt: T0 };
}

function verification(sid: string, serviceSid: string, to: string): Verification {
  return { sid, serviceSid, accountSid: ACCOUNT, to, channel: 'sms', status: 'pending', codeNonce: 'nonce', codeHash: 'hash', customCode: false,
    locale: null, customFriendlyName: null, amount: null, payee: null, checks: 0, sends: 1, pageSession: null, codeLength: 6,
    expiresAt: T0 + 600_000, createdAt: T0, updatedAt: T0 };
}

/** Two instances on one fresh database: two storages, each with its own pool (and LISTEN connection). */
async function twoInstances(): Promise<[PostgresStorage, PostgresStorage]> {
  const url = await migratedCopy();
  return Promise.all([PostgresStorage.open(url), PostgresStorage.open(url)]);
}

const sms = (to: string) => ({ kind: 'sms' as const, payload: { to, from: 'Verigate', text: 'hello' }, expiresAt: T0 + 600_000 });

describe.runIf(runs)('PostgreSQL storage', () => {
  // Generous: on a loaded machine a cluster's start, and its stop after many databases, take seconds.
  beforeAll(async () => {
    server = await startPostgres();
    await migrateDatabase(await server.createDatabase(MIGRATED));
    admin = openPool(server.url, { max: 1 });
  }, 60_000);
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  }, 60_000);

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

  // The contract every backend passes (test/contract/*-contract.ts), each test on a fresh copy of a migrated database.
  for (const describeContract of [
    describeServiceContract, describeVerificationContract, describeFraudContract, describeSecretContract, describeOutboxContract, describeUnitOfWorkContract,
    describeApiKeyContract, describeAttemptReportContract, describePageHitContract, describeRateLimitContract, describeSessionKeyContract,
    describeSafeListContract, describeMessagingConfigurationContract, describeWebhookContract, describeTotpContract,
  ]) describeContract(openStorage);

  describe('unit of work', () => {
    it('commits what a transaction did together, rolls all of it back when it throws, and runs a nested one inside', async () => {
      const { storage, close } = await openStorage();
      try {
        await storage.services.insert(service('VA1'));
        await expect(storage.transaction(async (tx) => {
          await tx.verifications.insert(verification('VE1', 'VA1', '+15550000001'));
          await tx.transaction(async (inner) => inner.outbox.enqueue(sms('+15550000001'), T0));
          throw new Error('the send was refused');
        })).rejects.toThrow('the send was refused');
        expect(await storage.verifications.bySid('VE1')).toBeUndefined();
        expect((await storage.outbox.counts()).pending).toBe(0);

        const id = await storage.transaction(async (tx) => {
          await tx.verifications.insert(verification('VE2', 'VA1', '+15550000002'));
          return tx.transaction(async (inner) => inner.outbox.enqueue(sms('+15550000002'), T0));
        });
        expect((await storage.verifications.bySid('VE2'))!.status).toBe('pending');
        expect((await storage.outbox.get(id))!.status).toBe('pending');
      } finally {
        await close();
      }
    });

    it('a transaction whose failed statement was caught does not report a commit it did not make', async () => {
      const { storage, close } = await openStorage();
      try {
        await storage.services.insert(service('VA1'));
        await expect(storage.transaction(async (tx) => {
          await tx.verifications.insert(verification('VE1', 'VA1', '+15550000001'));
          // A duplicate key: the statement fails and PostgreSQL aborts the whole transaction.
          await tx.verifications.insert(verification('VE1', 'VA1', '+15550000001')).catch(() => undefined);
        })).rejects.toThrow(/rolled back/);
        expect(await storage.verifications.bySid('VE1')).toBeUndefined();
      } finally {
        await close();
      }
    });
  });

  describe('two instances on one database', () => {
    let a: PostgresStorage;
    let b: PostgresStorage;
    beforeAll(async () => {
      [a, b] = await twoInstances();
      await a.services.insert(service('VA1'));
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it('keeps a service\'s further settings (one JSON column): written by one instance, read and joined by the other', async () => {
      const settings = applySettings(DEFAULT_SERVICE_SETTINGS, { LookupEnabled: 'true', TtsName: 'Polly.Joanna', 'Totp.Issuer': 'Acme', 'Passkeys.RelyingParty.Origins': 'https://a.example,https://b.example' });
      await a.services.insert({ ...service('VA2'), settings });
      expect((await b.services.get(ACCOUNT, 'VA2'))!.settings).toEqual(settings);
      const updated = await b.services.update(ACCOUNT, 'VA2', { settings: applySettings(settings, { DtmfInputRequired: 'true' }) }, T0 + 1);
      expect(updated!.settings).toMatchObject({ lookupEnabled: true, dtmfInputRequired: true, ttsName: 'Polly.Joanna', totp: { issuer: 'Acme', timeStep: 30 } });
      await a.verifications.insert(verification('VE2', 'VA2', '+15550000002'));
      expect((await a.verifications.withService('VE2'))!.service.settings).toEqual(updated!.settings);
      expect((await a.services.list(ACCOUNT, 0, 10)).services.find((s) => s.sid === 'VA2')!.settings.passkeys.relyingParty.origins).toEqual(['https://a.example', 'https://b.example']);
    });

    it('50 concurrent wrong checks split across the two count exactly 5', async () => {
      await a.verifications.insert(verification('VE1', 'VA1', '+15550000001'));
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).verifications.countCheck('VE1', 5, T0 + 1)));
      const counted = results.filter((row) => row !== undefined);
      expect(counted).toHaveLength(5);
      expect(counted.map((row) => row!.checks).sort()).toEqual([1, 2, 3, 4, 5]);
      expect((await b.verifications.bySid('VE1'))!.checks).toBe(5);
    });

    it('a rate-limit bucket of max 5 passes exactly 5 of 40 concurrent starts split across the two', async () => {
      await a.rateLimits.insert({ sid: 'RK1', serviceSid: 'VA1', accountSid: ACCOUNT, uniqueName: 'ip', description: null, createdAt: T0, updatedAt: T0 });
      await b.rateLimits.insertBucket({ sid: 'BL1', rateLimitSid: 'RK1', serviceSid: 'VA1', accountSid: ACCOUNT, max: 5, interval: 600, createdAt: T0, updatedAt: T0 });
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => takeRateLimits(i % 2 ? a : b, 'VA1', { ip: '203.0.113.7' }, T0)));
      expect(results.filter((overflow) => overflow === undefined)).toHaveLength(5);
    });

    it('the hosted pages\' limit of 4 sends per number passes exactly 4 of 40 concurrent sends split across the two', async () => {
      const clock = new ManualClock(T0);
      const limits = { startsPerIp: { max: 100, windowMs: 60_000 }, startsPerNumber: { max: 4, windowMs: 60_000 }, checksPerIp: { max: 1, windowMs: 60_000 }, checksPerNumber: { max: 1, windowMs: 60_000 } };
      const limiters = [new PageRateLimiter(a, clock, limits), new PageRateLimiter(b, clock, limits)];
      const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => limiters[i % 2]!.take('start', `198.51.100.${i}`, '+15550000009')));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(4);
    });

    it('a session token signed with a key one instance just made validates on the other, and an API key made on one works on the other', async () => {
      const clock = new ManualClock(T0);
      const codes = new CodeBook(randomBytes(32));
      const settings = { ttlSeconds: 600, rotateAfterSeconds: 0 };
      const [onA, onB] = [a, b].map((storage) => createSessionTokens(storage, clock, () => 'https://verify.example.test', settings, codes));
      await onB!.issue('+15550000010', 'sms');
      clock.advance(1_000);
      const rotated = await onA!.rotate();
      const token = await onA!.issue('+15550000010', 'sms');
      expect(await onB!.validate(token.token)).toMatchObject({ valid: true, kid: rotated });
      await a.apiKeys.insert({ sid: 'SK1', accountSid: ACCOUNT, friendlyName: 'ci', createdAt: T0, updatedAt: T0 }, apiKeySecretHash('the-secret'));
      expect(await apiKeySecretMatches(b.apiKeys, ACCOUNT, 'SK1', 'the-secret')).toBe(true);
    });

    it('concurrent starts for one number under lock(key) on both instances leave one pending verification', async () => {
      const to = '+15550000002';
      const started = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).transaction(async (tx) => {
        await tx.lock(`start:VA1:${to}`);
        if (await tx.verifications.pendingFor('VA1', to, null)) return false;
        await tx.verifications.insert(verification(`VEstart${i}`, 'VA1', to));
        return true;
      })));
      expect(started.filter(Boolean)).toHaveLength(1);
    });

    it('two claimers never lease one outbox row, and between them send each once', async () => {
      const ids = await a.transaction(async (tx) => Promise.all(Array.from({ length: 200 }, (_, i) => tx.outbox.enqueue(sms(`+1555100${String(i).padStart(4, '0')}`), T0))));
      const claimed: string[] = [];
      const drain = async (storage: PostgresStorage, owner: string) => {
        for (;;) {
          const rows = await storage.outbox.claimDue(owner, T0 + 1, 60_000, 7);
          if (rows.length === 0) return;
          for (const row of rows) {
            claimed.push(row.id);
            await storage.outbox.markSent(row.id, owner, 'smpp', {}, T0 + 2);
          }
        }
      };
      await Promise.all([drain(a, 'host:1:a'), drain(b, 'host:2:b'), drain(a, 'host:1:c'), drain(b, 'host:2:d')]);
      expect(claimed.length).toBe(200);
      expect(new Set(claimed)).toEqual(new Set(ids));
      expect((await b.outbox.counts()).sent).toBeGreaterThanOrEqual(200);
    });

    it("a dead instance's lease runs out and the other instance sends the row; the dead owner's late answer changes nothing", async () => {
      const id = await a.outbox.enqueue(sms('+15552000000'), T0);
      const [taken] = await a.outbox.claimDue('host:1:dead', T0, 5_000, 1);
      expect(taken!.id).toBe(id);
      // While the lease runs the row is nobody else's.
      expect((await b.outbox.claimDue('host:2:live', T0 + 4_999, 5_000, 10)).map((r) => r.id)).not.toContain(id);
      const [retaken] = await b.outbox.claimDue('host:2:live', T0 + 5_000, 5_000, 10);
      expect(retaken).toMatchObject({ id, attempts: 2 });
      await a.outbox.markFinal(id, 'host:1:dead', 'failed', 'late', undefined, T0 + 5_001);
      expect((await a.outbox.get(id))!.status).toBe('pending');
      await b.outbox.markSent(id, 'host:2:live', 'smpp', { messageIds: ['m1'] }, T0 + 5_002);
      expect((await a.outbox.get(id))!.status).toBe('sent');
    });

    it("a row enqueued on one instance wakes the other's dispatcher by NOTIFY at commit", async () => {
      let wakes = 0;
      let onWake: (() => void) | undefined;
      const stop = b.outbox.watch!(() => {
        wakes++;
        onWake?.();
      });
      try {
        // The first wake says the LISTEN is in place (rows enqueued before it are found by the dispatcher's own claim).
        await new Promise<void>((resolve) => (wakes > 0 ? resolve() : (onWake = resolve)));
        const before = wakes;
        const woken = new Promise<void>((resolve) => (onWake = resolve));
        await a.transaction(async (tx) => {
          await tx.outbox.enqueue(sms('+15553000000'), T0);
          // Not before the commit: a rolled-back row must not wake anyone, and an uncommitted one cannot be claimed.
          expect(wakes).toBe(before);
        });
        await woken;
        expect(wakes).toBe(before + 1);
      } finally {
        stop();
      }
    });

    it('the LISTEN connection comes back after the server drops it, wakes again, and the verifier logs the drop', async () => {
      // An instance opened as the verifier opens it, with its logger.
      const logged: string[] = [];
      const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void logged.push(line) } });
      const instance = await openVerifierStorage({ databaseUrl: await migratedCopy() }, logger);
      let wakes = 0;
      const waiters: (() => void)[] = [];
      const nextWake = () => new Promise<void>((resolve) => waiters.push(resolve));
      const stop = instance.outbox.watch!(() => {
        wakes++;
        waiters.splice(0).forEach((resolve) => resolve());
      });
      const admin = openPool(server.url, { max: 1 });
      try {
        if (wakes === 0) await nextWake(); // the watch is in place
        // The server ends the session, as a restart or a network cut would.
        const reconnected = nextWake();
        const ended = await query<{ ended: boolean }>(admin, "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'verigate-listen'");
        expect(ended.some((row) => row.ended)).toBe(true);
        await reconnected;
        expect(logged.some((line) => line.includes('the outbox LISTEN connection dropped'))).toBe(true);
        const woken = nextWake();
        await instance.outbox.enqueue(sms('+15553100000'), T0);
        await woken;
      } finally {
        stop();
        await admin.end();
        await instance.close();
      }
    });

    it('a receipt on either instance meets its send, whichever reaches the database first', async () => {
      const pairs = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
        const id = await a.outbox.enqueue(sms(`+1555400${String(i).padStart(4, '0')}`), T0);
        const [row] = await a.outbox.claimDue(`host:1:r${i}`, T0 + 1, 60_000, 1);
        return { id: row!.id, owner: `host:1:r${i}`, messageId: `msg-${i}`, enqueued: id };
      }));
      // Every send on instance a races its own receipt on instance b.
      const results = await Promise.all(pairs.map(async ({ id, owner, messageId }) => {
        const [sent, received] = await Promise.all([
          a.outbox.markSent(id, owner, 'smpp', {}, T0 + 2, [messageId]),
          b.outbox.recordDelivery(messageId, 'delivered', 'DELIVRD', undefined, T0 + 2),
        ]);
        return [...sent, ...(received ? [received] : [])];
      }));
      // Each receipt was applied exactly once: by the receipt itself, or by the send that found it kept.
      expect(results.map((applied) => applied.length)).toEqual(pairs.map(() => 1));
      expect(results.flat().every((d) => d.parts.length === 1 && d.parts[0]!.delivery === 'delivered')).toBe(true);
      expect(await a.outbox.earlyReceiptCount()).toBe(0);
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

    it('a verifier whose database does not exist stops with one line, exit 1, and never prints the password', async () => {
      const cli = runCli(['verifier', '--verify-port', '0', '--database', `postgres://verigate:hunter22@127.0.0.1:${server.port}/no_such_database`],
        { VERIGATE_CODE_KEY: randomBytes(32).toString('base64') });
      expect(await cli.exited).toBe(1);
      expect(cli.stderr()).toMatch(/^verigate: cannot start: .*no_such_database.*\n$/);
      expect(cli.stdout() + cli.stderr()).not.toContain('hunter22');
    });

    it('`verigate migrate` on an unreachable server fails with exit 1 and never prints the password', async () => {
      const cli = runCli(['migrate', '--database', `postgres://verigate:hunter22@127.0.0.1:${server.port}/no_such_database`]);
      expect(await cli.exited).toBe(1);
      expect(cli.stderr()).toMatch(/^verigate: cannot migrate: .*no_such_database/);
      expect(cli.stderr()).not.toContain('hunter22');
    });
  });
});
