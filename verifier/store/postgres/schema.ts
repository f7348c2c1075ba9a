import { assetPath } from '../../../gateway/assets';
import { migratePostgres, openPool, type PgPool } from '../../../gateway/storage/postgres';

/** The migration folders of a PostgreSQL database, by scope, in the order they are applied. */
const SCOPES = [
  { scope: 'verifier', folder: assetPath('verifier/store/postgres/migrations') },
  { scope: 'outbox', folder: assetPath('gateway/outbox/postgres-migrations') },
];

/**
 * Brings a PostgreSQL database to the current schema (safe when several instances start at once: see
 * migratePostgres). Returns the migrations applied, as `scope/file`.
 */
export async function migrateVerigate(pool: PgPool): Promise<string[]> {
  const ran: string[] = [];
  for (const { scope, folder } of SCOPES) ran.push(...(await migratePostgres(pool, scope, folder)).map((file) => `${scope}/${file}`));
  return ran;
}

/** `verigate migrate`: connects to `url`, migrates, and disconnects. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const pool = openPool(url, { max: 1, applicationName: 'verigate-migrate' });
  try {
    return await migrateVerigate(pool);
  } finally {
    await pool.end();
  }
}
