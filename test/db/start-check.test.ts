import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';

/*
 * Every reference of the database is checked after a start that applied a migration (a table
 * rebuilt with foreign keys off must not leave a dangling one), and only then: the check reads
 * the whole database, seconds at 100,000 cases, and a start that applies nothing skips it.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-start-'));
const file = path.join(dir, 'satsa.sqlite');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A case step pointing at a case that does not exist, written with the checks off. */
function plantBrokenReference() {
  const db = openDatabase(file);
  db.$client.pragma('foreign_keys = OFF');
  db.$client
    .prepare("INSERT INTO case_steps (case_id, programme_id, step, created_at) VALUES ('no-such-case', 'p', 1, '2026-01-01T00:00:00Z')")
    .run();
  db.$client.close();
}

it('checks the references after a start that applied a migration, and skips the check otherwise', () => {
  openDatabase(file).$client.close();
  plantBrokenReference();
  // Nothing to apply: the start does not read every reference.
  const again = openDatabase(file);
  // The newest migration (case_parts), undone, is applied at the next start: the check runs and finds the planted reference.
  again.$client.exec('DROP TABLE case_parts');
  again.$client.prepare('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)').run();
  again.$client.close();
  expect(() => openDatabase(file)).toThrow(/broken references/);
});
