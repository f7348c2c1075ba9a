import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { Challenge, Entity, Factor, TotpRepository } from '../totp-repository';

const entityColumns = 'sid, service_sid AS serviceSid, account_sid AS accountSid, identity, created_at AS createdAt, updated_at AS updatedAt';
const factorColumns = `sid, entity_sid AS entitySid, service_sid AS serviceSid, account_sid AS accountSid, identity, friendly_name AS friendlyName,
  status, factor_type AS factorType, secret_sealed AS secretSealed, config, metadata, attempts, created_at AS createdAt, updated_at AS updatedAt`;
const challengeColumns = `sid, factor_sid AS factorSid, entity_sid AS entitySid, service_sid AS serviceSid, account_sid AS accountSid, identity, status,
  responded_reason AS respondedReason, details, hidden_details AS hiddenDetails, metadata, attempts, expires_at AS expiresAt,
  responded_at AS respondedAt, created_at AS createdAt, updated_at AS updatedAt`;

const json = (text: unknown) => (typeof text === 'string' ? JSON.parse(text) : null);
const factorOf = (row: unknown): Factor | undefined =>
  row ? { ...(row as Factor), config: json((row as { config: string }).config), metadata: json((row as { metadata: string }).metadata) } : undefined;
const challengeOf = (row: unknown): Challenge | undefined => {
  if (!row) return undefined;
  const r = row as Record<string, unknown>;
  return { ...(row as Challenge), details: json(r['details']), hiddenDetails: json(r['hiddenDetails']), metadata: json(r['metadata']) };
};
const text = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export class SqliteTotpRepository implements TotpRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }
  // Entities

  async upsertEntity(entity: Entity): Promise<Entity> {
    this.#sql('INSERT INTO entities (sid, service_sid, account_sid, identity, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(entity.sid, entity.serviceSid, entity.accountSid, entity.identity, entity.createdAt, entity.updatedAt);
    return (await this.entity(entity.serviceSid, entity.identity))!;
  }

  async entity(serviceSid: string, identity: string): Promise<Entity | undefined> {
    return this.#sql(`SELECT ${entityColumns} FROM entities WHERE service_sid = ? AND identity = ?`).get(serviceSid, identity) as Entity | undefined;
  }

  async entities(serviceSid: string, offset: number, limit: number): Promise<{ items: Entity[]; total: number }> {
    const items = this.#sql(`SELECT ${entityColumns} FROM entities WHERE service_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`).all(serviceSid, limit, offset) as Entity[];
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM entities WHERE service_sid = ?').get(serviceSid) as { total: number };
    return { items, total };
  }

  async deleteEntity(serviceSid: string, identity: string): Promise<boolean> {
    return this.#sql('DELETE FROM entities WHERE service_sid = ? AND identity = ?').run(serviceSid, identity).changes > 0;
  }

  // Factors

  async insertFactor(factor: Factor): Promise<void> {
    this.#sql(`INSERT INTO factors (sid, entity_sid, service_sid, account_sid, identity, friendly_name, status, factor_type, secret_sealed, config, metadata,
      attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(factor.sid, factor.entitySid, factor.serviceSid, factor.accountSid,
      factor.identity, factor.friendlyName, factor.status, factor.factorType, factor.secretSealed, JSON.stringify(factor.config), text(factor.metadata),
      factor.attempts, factor.createdAt, factor.updatedAt);
  }

  async factor(entitySid: string, sid: string): Promise<Factor | undefined> {
    return factorOf(this.#sql(`SELECT ${factorColumns} FROM factors WHERE entity_sid = ? AND sid = ?`).get(entitySid, sid));
  }

  async factors(entitySid: string, offset: number, limit: number): Promise<{ items: Factor[]; total: number }> {
    const items = this.#sql(`SELECT ${factorColumns} FROM factors WHERE entity_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`).all(entitySid, limit, offset).map((r) => factorOf(r)!);
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM factors WHERE entity_sid = ?').get(entitySid) as { total: number };
    return { items, total };
  }

  async countFactorAttempt(sid: string, max: number, now: number): Promise<boolean> {
    return this.#sql("UPDATE factors SET attempts = attempts + 1, updated_at = ? WHERE sid = ? AND status = 'unverified' AND attempts < ?").run(now, sid, max).changes > 0;
  }

  async verifyFactor(sid: string, now: number): Promise<void> {
    this.#sql("UPDATE factors SET status = 'verified', updated_at = ? WHERE sid = ?").run(now, sid);
  }

  async renameFactor(sid: string, friendlyName: string, now: number): Promise<void> {
    this.#sql('UPDATE factors SET friendly_name = ?, updated_at = ? WHERE sid = ?').run(friendlyName, now, sid);
  }

  async deleteFactor(entitySid: string, sid: string): Promise<boolean> {
    return this.#sql('DELETE FROM factors WHERE entity_sid = ? AND sid = ?').run(entitySid, sid).changes > 0;
  }

  // Challenges

  async insertChallenge(challenge: Challenge): Promise<void> {
    this.#sql(`INSERT INTO challenges (sid, factor_sid, entity_sid, service_sid, account_sid, identity, status, responded_reason, details, hidden_details,
      metadata, attempts, expires_at, responded_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      challenge.sid, challenge.factorSid, challenge.entitySid, challenge.serviceSid, challenge.accountSid, challenge.identity, challenge.status,
      challenge.respondedReason, text(challenge.details), text(challenge.hiddenDetails), text(challenge.metadata), challenge.attempts,
      challenge.expiresAt, challenge.respondedAt, challenge.createdAt, challenge.updatedAt);
  }

  async challenge(entitySid: string, sid: string, now: number): Promise<Challenge | undefined> {
    this.#sql("UPDATE challenges SET status = 'expired', updated_at = ? WHERE entity_sid = ? AND sid = ? AND status = 'pending' AND expires_at <= ?").run(now, entitySid, sid, now);
    return challengeOf(this.#sql(`SELECT ${challengeColumns} FROM challenges WHERE entity_sid = ? AND sid = ?`).get(entitySid, sid));
  }

  async challenges(entitySid: string, filter: { factorSid?: string; status?: string }, offset: number, limit: number, now: number): Promise<{ items: Challenge[]; total: number }> {
    this.#sql("UPDATE challenges SET status = 'expired', updated_at = ? WHERE entity_sid = ? AND status = 'pending' AND expires_at <= ?").run(now, entitySid, now);
    const where = 'entity_sid = ? AND (? IS NULL OR factor_sid = ?) AND (? IS NULL OR status = ?)';
    const args = [entitySid, filter.factorSid ?? null, filter.factorSid ?? null, filter.status ?? null, filter.status ?? null];
    const items = this.#sql(`SELECT ${challengeColumns} FROM challenges WHERE ${where} ORDER BY created_at DESC, sid LIMIT ? OFFSET ?`).all(...args, limit, offset).map((r) => challengeOf(r)!);
    const { total } = this.#sql(`SELECT COUNT(*) AS total FROM challenges WHERE ${where}`).get(...args) as { total: number };
    return { items, total };
  }

  async countChallengeAttempt(sid: string, max: number, now: number): Promise<boolean> {
    return this.#sql("UPDATE challenges SET attempts = attempts + 1, updated_at = ? WHERE sid = ? AND status = 'pending' AND expires_at > ? AND attempts < ?")
      .run(now, sid, now, max).changes > 0;
  }

  async approveChallenge(sid: string, now: number): Promise<boolean> {
    return this.#sql("UPDATE challenges SET status = 'approved', responded_reason = 'none', responded_at = ?, updated_at = ? WHERE sid = ? AND status = 'pending'")
      .run(now, now, sid).changes > 0;
  }
}
