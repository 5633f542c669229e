import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Opens (or creates) the SQLite file, sets the pragmas in one place and applies every
 * migration. `synchronous=FULL` so a command that got a 2xx survives a power cut.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // What is deleted or overwritten is overwritten with zeros, so that no free page keeps a copy
  // of erased personal data (src/privacy).
  sqlite.pragma('secure_delete = ON');
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema }) as Db;
  migrateSafely(db);
  return db;
}

/**
 * Applies the migrations with foreign keys off, as SQLite's procedure for changing a table
 * asks: a migration that rebuilds a table (create the new one, copy, drop the old, rename)
 * must not have the drop delete, or cascade to, the rows that refer to it. The migrator runs
 * in a transaction, where a migration's own `PRAGMA foreign_keys` has no effect, so it is set
 * here; afterwards, when a migration was applied, every reference is checked, and a migration
 * that broke one fails the start.
 */
function migrateSafely(db: Db) {
  const sqlite = db.$client;
  // The check reads every reference of the database (seconds at 100,000 cases): it runs only
  // when this start applied a migration.
  const applied = () =>
    sqlite.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = '__drizzle_migrations'").pluck().get() === 0
      ? 0
      : (sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get() as number);
  const before = applied();
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(db, { migrationsFolder });
    if (applied() === before) return;
    const broken = sqlite.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) throw new Error(`the migrations left ${broken.length} broken references: ${JSON.stringify(broken.slice(0, 5))}`);
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
}

/** How many prepared statements a connection keeps (least recently used are dropped). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Drizzle prepares every query anew, and preparing costs more than running a small query.
 * The connection keeps its prepared statements by SQL text instead. A statement handed out
 * again is reset to plain rows first, because drizzle switches some to raw (array) rows.
 */
export function cacheStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      // Most recently used last: Map keeps insertion order.
      cache.delete(source);
      if (stmt.reader) stmt.raw(false);
    } else {
      stmt = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, stmt);
    return stmt;
  }) as typeof sqlite.prepare;
}

/**
 * A placeholder for a prepared query, wrapped as SQL so it takes its value as given: JSON
 * columns get their JSON from the caller (drizzle's own encoding of a placeholder stores
 * null as 'null'), and an update's SET accepts it (its types take no bare placeholder).
 */
export const param = (name: string) => sql`${sql.placeholder(name)}`;

export { schema };
