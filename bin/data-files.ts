import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { eraseSecurely, openDatabase } from '../gateway/storage/sqlite';
import { MessageStore } from '../simulator/store/message-store';

/**
 * The simulator's store in `verigate start`: a file of its own beside the
 * verifier's (`verigate.db` → `verigate-simulator.db`), because a phone's
 * inbox holds codes in clear and the verifier's database must not; in memory
 * when the verifier's database is.
 */
export function simulatorDataFile(verifierFile: string): string {
  if (verifierFile === ':memory:') return ':memory:';
  const extension = extname(verifierFile);
  return join(dirname(verifierFile), `${basename(verifierFile, extension)}-simulator${extension}`);
}

/** The simulator's tables, parents first. */
const SIMULATOR_TABLES = ['messages', 'segments'];

/**
 * Earlier versions of `verigate start` kept the simulator's tables in the
 * verifier's file. Moves their rows into the simulator's own file and drops
 * them from the verifier's so that no copy stays (`eraseSecurely`). Safe to repeat: a
 * crash between the two files' commits moves nothing twice (INSERT OR IGNORE).
 * Returns the number of messages moved.
 */
export function moveSimulatorTables(verifierFile: string, simulatorFile: string): number {
  if (verifierFile === ':memory:' || simulatorFile === verifierFile || !existsSync(verifierFile)) return 0;
  const db = openDatabase(verifierFile);
  try {
    const holdsSimulator = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
      && db.prepare("SELECT 1 FROM schema_migrations WHERE scope = 'simulator'").get();
    if (!holdsSimulator) return 0;
    MessageStore.open(simulatorFile).close();
    db.prepare('ATTACH DATABASE ? AS simulator').run(simulatorFile);
    const moved = eraseSecurely(db, () => {
      const count = (db.prepare('SELECT count(*) AS n FROM main.messages').get() as { n: number }).n;
      for (const table of SIMULATOR_TABLES) {
        const columns = (db.pragma(`main.table_info(${table})`) as { name: string }[]).map((c) => c.name).join(', ');
        db.exec(`INSERT OR IGNORE INTO simulator.${table} (${columns}) SELECT ${columns} FROM main.${table}`);
      }
      for (const table of [...SIMULATOR_TABLES].reverse()) db.exec(`DROP TABLE main.${table}`);
      db.prepare("DELETE FROM main.schema_migrations WHERE scope = 'simulator'").run();
      return count;
    });
    db.exec('DETACH DATABASE simulator');
    return moved;
  } finally {
    db.close();
  }
}
