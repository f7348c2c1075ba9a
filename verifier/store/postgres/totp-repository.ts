import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { Challenge, Entity, Factor, TotpRepository } from '../totp-repository';
import { selectList } from './columns';

const entityColumns = selectList({
  sid: 'sid', serviceSid: 'service_sid', accountSid: 'account_sid', identity: 'identity', createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<keyof Entity, string>);
const factorColumns = selectList({
  sid: 'sid', entitySid: 'entity_sid', serviceSid: 'service_sid', accountSid: 'account_sid', identity: 'identity', friendlyName: 'friendly_name',
  status: 'status', factorType: 'factor_type', secretSealed: 'secret_sealed', config: 'config', metadata: 'metadata', attempts: 'attempts',
  createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<keyof Factor, string>);
const challengeColumns = selectList({
  sid: 'sid', factorSid: 'factor_sid', entitySid: 'entity_sid', serviceSid: 'service_sid', accountSid: 'account_sid', identity: 'identity',
  status: 'status', respondedReason: 'responded_reason', details: 'details', hiddenDetails: 'hidden_details', metadata: 'metadata',
  attempts: 'attempts', expiresAt: 'expires_at', respondedAt: 'responded_at', createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<keyof Challenge, string>);

// JSON is kept as text, as in the SQLite schema: the repositories parse it, the database never looks inside.
const json = (text: unknown) => (typeof text === 'string' ? JSON.parse(text) : null);
const text = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
const factorOf = (row: Record<string, unknown>): Factor => ({ ...(row as unknown as Factor), config: json(row['config']), metadata: json(row['metadata']) });
const challengeOf = (row: Record<string, unknown>): Challenge =>
  ({ ...(row as unknown as Challenge), details: json(row['details']), hiddenDetails: json(row['hiddenDetails']), metadata: json(row['metadata']) });

export class PostgresTotpRepository implements TotpRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  // Entities

  async upsertEntity(entity: Entity): Promise<Entity> {
    await execute(this.#db, 'INSERT INTO entities (sid, service_sid, account_sid, identity, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
      [entity.sid, entity.serviceSid, entity.accountSid, entity.identity, entity.createdAt, entity.updatedAt]);
    return (await this.entity(entity.serviceSid, entity.identity))!;
  }

  async entity(serviceSid: string, identity: string): Promise<Entity | undefined> {
    return (await query<Entity>(this.#db, `SELECT ${entityColumns} FROM entities WHERE service_sid = $1 AND identity = $2`, [serviceSid, identity]))[0];
  }

  async entities(serviceSid: string, offset: number, limit: number): Promise<{ items: Entity[]; total: number }> {
    const items = await query<Entity>(this.#db, `SELECT ${entityColumns} FROM entities WHERE service_sid = $1 ORDER BY created_at, sid LIMIT $2 OFFSET $3`, [serviceSid, limit, offset]);
    const total = (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM entities WHERE service_sid = $1', [serviceSid]))[0]!.n;
    return { items, total };
  }

  async deleteEntity(serviceSid: string, identity: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM entities WHERE service_sid = $1 AND identity = $2', [serviceSid, identity])) > 0;
  }

  // Factors

  async insertFactor(f: Factor): Promise<void> {
    await execute(this.#db, `INSERT INTO factors (sid, entity_sid, service_sid, account_sid, identity, friendly_name, status, factor_type, secret_sealed, config,
      metadata, attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, [
      f.sid, f.entitySid, f.serviceSid, f.accountSid, f.identity, f.friendlyName, f.status, f.factorType, f.secretSealed, JSON.stringify(f.config),
      text(f.metadata), f.attempts, f.createdAt, f.updatedAt,
    ]);
  }

  async factor(entitySid: string, sid: string): Promise<Factor | undefined> {
    const row = (await query(this.#db, `SELECT ${factorColumns} FROM factors WHERE entity_sid = $1 AND sid = $2`, [entitySid, sid]))[0];
    return row && factorOf(row);
  }

  async factors(entitySid: string, offset: number, limit: number): Promise<{ items: Factor[]; total: number }> {
    const rows = await query(this.#db, `SELECT ${factorColumns} FROM factors WHERE entity_sid = $1 ORDER BY created_at, sid LIMIT $2 OFFSET $3`, [entitySid, limit, offset]);
    const total = (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM factors WHERE entity_sid = $1', [entitySid]))[0]!.n;
    return { items: rows.map(factorOf), total };
  }

  async countFactorAttempt(sid: string, max: number, now: number): Promise<boolean> {
    return (await execute(this.#db, "UPDATE factors SET attempts = attempts + 1, updated_at = $3 WHERE sid = $1 AND status = 'unverified' AND attempts < $2",
      [sid, max, now])) > 0;
  }

  async verifyFactor(sid: string, now: number): Promise<void> {
    await execute(this.#db, "UPDATE factors SET status = 'verified', updated_at = $2 WHERE sid = $1", [sid, now]);
  }

  async renameFactor(sid: string, friendlyName: string, now: number): Promise<void> {
    await execute(this.#db, 'UPDATE factors SET friendly_name = $2, updated_at = $3 WHERE sid = $1', [sid, friendlyName, now]);
  }

  async deleteFactor(entitySid: string, sid: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM factors WHERE entity_sid = $1 AND sid = $2', [entitySid, sid])) > 0;
  }

  // Challenges

  async insertChallenge(c: Challenge): Promise<void> {
    await execute(this.#db, `INSERT INTO challenges (sid, factor_sid, entity_sid, service_sid, account_sid, identity, status, responded_reason, details,
      hidden_details, metadata, attempts, expires_at, responded_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`, [
      c.sid, c.factorSid, c.entitySid, c.serviceSid, c.accountSid, c.identity, c.status, c.respondedReason, text(c.details), text(c.hiddenDetails),
      text(c.metadata), c.attempts, c.expiresAt, c.respondedAt, c.createdAt, c.updatedAt,
    ]);
  }

  async challenge(entitySid: string, sid: string, now: number): Promise<Challenge | undefined> {
    await execute(this.#db, "UPDATE challenges SET status = 'expired', updated_at = $3 WHERE entity_sid = $1 AND sid = $2 AND status = 'pending' AND expires_at <= $3",
      [entitySid, sid, now]);
    const row = (await query(this.#db, `SELECT ${challengeColumns} FROM challenges WHERE entity_sid = $1 AND sid = $2`, [entitySid, sid]))[0];
    return row && challengeOf(row);
  }

  async challenges(entitySid: string, filter: { factorSid?: string; status?: string }, offset: number, limit: number, now: number): Promise<{ items: Challenge[]; total: number }> {
    await execute(this.#db, "UPDATE challenges SET status = 'expired', updated_at = $2 WHERE entity_sid = $1 AND status = 'pending' AND expires_at <= $2", [entitySid, now]);
    const where = 'entity_sid = $1 AND ($2::text IS NULL OR factor_sid = $2) AND ($3::text IS NULL OR status = $3)';
    const args = [entitySid, filter.factorSid ?? null, filter.status ?? null];
    const rows = await query(this.#db, `SELECT ${challengeColumns} FROM challenges WHERE ${where} ORDER BY created_at DESC, sid LIMIT $4 OFFSET $5`, [...args, limit, offset]);
    const total = (await query<{ n: number }>(this.#db, `SELECT COUNT(*) AS n FROM challenges WHERE ${where}`, args))[0]!.n;
    return { items: rows.map(challengeOf), total };
  }

  async countChallengeAttempt(sid: string, max: number, now: number): Promise<boolean> {
    return (await execute(this.#db, "UPDATE challenges SET attempts = attempts + 1, updated_at = $3 WHERE sid = $1 AND status = 'pending' AND expires_at > $3 AND attempts < $2",
      [sid, max, now])) > 0;
  }

  async approveChallenge(sid: string, now: number): Promise<boolean> {
    return (await execute(this.#db, "UPDATE challenges SET status = 'approved', responded_reason = 'none', responded_at = $2, updated_at = $2 WHERE sid = $1 AND status = 'pending'",
      [sid, now])) > 0;
  }
}
