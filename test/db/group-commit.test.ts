import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FULL_STORY } from '../../src/demo/story.js';
import { cacheStatements } from '../../src/db/client.js';
import { createGroupCommit } from '../../src/db/group-commit.js';
import { advance, auth, createCase, createTestApp, json, type TestApp } from '../helpers.js';

/*
 * Group commit (src/db/group-commit.ts): commands that arrive together share one transaction
 * and one durable commit, each in its own savepoint, and nobody is answered before COMMIT.
 * A real SQLite file in WAL mode; a second connection checks what is really committed.
 */

let dir: string;
let file: string;
let db: Database.Database;
let reader: Database.Database;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-group-'));
  file = path.join(dir, 'g.sqlite');
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.exec(`
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE entry (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE,
      parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);`);
  reader = new Database(file, { readonly: true });
});
afterEach(() => {
  reader.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const committed = () => (reader.prepare('SELECT v FROM entry ORDER BY id').all() as { v: string }[]).map((r) => r.v);

describe('group commit', () => {
  it('commands of one turn share one transaction, and each caller is answered only after COMMIT', async () => {
    let afterCommit = 0;
    const group = createGroupCommit(db, { afterCommit: () => (afterCommit += 1) });
    const insert = (v: string) => () => {
      // Inside the shared transaction, and not yet visible to anyone else.
      expect(db.inTransaction).toBe(true);
      db.prepare('INSERT INTO entry (v) VALUES (?)').run(v);
      expect(committed()).not.toContain(v);
      return v;
    };
    const answers = Promise.all(['a', 'b', 'c'].map((v) => group.run(insert(v)).then((r) => ({ r, seen: committed() }))));
    const results = await answers;
    for (const { r, seen } of results) expect(seen).toContain(r);
    expect(results.map((x) => x.r)).toEqual(['a', 'b', 'c']);
    expect(group.stats()).toEqual({ batches: 1, commands: 3 });
    expect(afterCommit).toBe(1);
    expect(db.inTransaction).toBe(false);
  });

  it('a command that fails is rolled back alone and gets its own error', async () => {
    const group = createGroupCommit(db);
    const insert = (v: string) => () => db.prepare('INSERT INTO entry (v) VALUES (?)').run(v).changes;
    const failing = () => {
      db.prepare('INSERT INTO entry (v) VALUES (?)').run('half-written');
      throw new Error('refused');
    };
    const outcomes = await Promise.allSettled([group.run(insert('x')), group.run(failing), group.run(insert('x')), group.run(insert('y'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('refused');
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['x', 'y']);
    expect(group.stats()).toEqual({ batches: 1, commands: 4 });
  });

  it('when COMMIT fails, every caller of the batch gets the error and nothing is written', async () => {
    const group = createGroupCommit(db);
    let afterCommit = 0;
    const withHook = createGroupCommit(db, { afterCommit: () => (afterCommit += 1) });
    // A deferred foreign key is checked at COMMIT: the whole batch fails there.
    const outcomes = await Promise.allSettled([
      withHook.run(() => db.prepare('INSERT INTO entry (v) VALUES (?)').run('fine')),
      withHook.run(() => db.prepare('INSERT INTO entry (v, parent) VALUES (?, ?)').run('orphan', 42)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committed()).toEqual([]);
    expect(afterCommit).toBe(0);
    expect(db.inTransaction).toBe(false);
    // The group works on afterwards.
    await group.run(() => db.prepare('INSERT INTO entry (v) VALUES (?)').run('next'));
    expect(committed()).toEqual(['next']);
  });

  it('when SQLite rolls back the whole transaction under a command, the batch fails as one', async () => {
    const group = createGroupCommit(db);
    const outcomes = await Promise.allSettled([
      group.run(() => db.prepare('INSERT INTO entry (v) VALUES (?)').run('before')),
      group.run(() => {
        // What SQLite does on some errors (a full disk, an I/O error): the transaction is gone.
        db.exec('ROLLBACK');
        throw new Error('disk I/O error');
      }),
      group.run(() => db.prepare('INSERT INTO entry (v) VALUES (?)').run('after')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toBe('disk I/O error');
    expect(committed()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    await group.run(() => db.prepare('INSERT INTO entry (v) VALUES (?)').run('later'));
    expect(committed()).toEqual(['later']);
  });

  it('a nested better-sqlite3 transaction inside a command becomes a savepoint of the batch', async () => {
    const group = createGroupCommit(db);
    const tx = db.transaction((v: string) => db.prepare('INSERT INTO entry (v) VALUES (?)').run(v));
    await Promise.all([group.run(() => tx.immediate('n1')), group.run(() => tx.immediate('n2'))]);
    expect(committed()).toEqual(['n1', 'n2']);
    expect(group.stats().batches).toBe(1);
  });

  it('a transaction already open is joined: its owner decides, and no commit is announced', async () => {
    let afterCommit = 0;
    const group = createGroupCommit(db, { afterCommit: () => (afterCommit += 1) });
    db.exec('BEGIN');
    await Promise.all([
      group.run(() => db.prepare('INSERT INTO entry (v) VALUES (?)').run('j1')),
      group.run(() => db.prepare('INSERT INTO entry (v) VALUES (?)').run('j2')),
    ]);
    expect(db.inTransaction).toBe(true);
    expect(afterCommit).toBe(0);
    db.exec('ROLLBACK');
    expect(committed()).toEqual([]);
  });

  it('a batch holds at most maxBatch commands; the rest follow in the next one', async () => {
    const group = createGroupCommit(db, { maxBatch: 2 });
    await Promise.all(['1', '2', '3', '4', '5'].map((v) => group.run(() => db.prepare('INSERT INTO entry (v) VALUES (?)').run(v))));
    expect(committed()).toEqual(['1', '2', '3', '4', '5']);
    expect(group.stats()).toEqual({ batches: 3, commands: 5 });
  });
});

describe('the statement cache', () => {
  it('hands out a statement again in plain-row mode after drizzle switched it to raw rows', () => {
    cacheStatements(db);
    db.prepare('INSERT INTO entry (v) VALUES (?)').run('r');
    const first = db.prepare('SELECT v FROM entry');
    expect(first.raw().get()).toEqual(['r']);
    const again = db.prepare('SELECT v FROM entry');
    expect(again).toBe(first);
    expect(again.get()).toEqual({ v: 'r' });
  });
});

describe('commands over HTTP', () => {
  let t: TestApp;
  afterAll(async () => t?.close());

  it('concurrent commands on different cases share commits, and each answer is its own', async () => {
    t = await createTestApp();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await createCase(t, `Grupp ${i}`));
    const eligible = FULL_STORY.find((s) => s.type === 'ASSESS_ELIGIBLE')!;
    for (const id of ids) advance(t, id, FULL_STORY.slice(0, FULL_STORY.indexOf(eligible)));
    const before = t.services.commits.stats();
    const version = (id: string) =>
      (t.services.db.$client.prepare('SELECT version FROM cases WHERE id = ?').get(id) as { version: number }).version;
    const responses = await Promise.all(
      ids.map((id, i) =>
        t.app.inject({
          method: 'POST',
          url: `/api/cases/${id}/events`,
          // The last one carries a stale version: refused alone.
          headers: { ...auth(t.tokens['county-coordinator']), 'if-match': `"${version(id) - (i === ids.length - 1 ? 1 : 0)}"` },
          payload: { type: eligible.type, payload: eligible.payload as Record<string, unknown> },
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 412]);
    responses.slice(0, 5).forEach((r, i) => expect(json(r).id).toBe(ids[i]));
    const after = t.services.commits.stats();
    expect(after.commands - before.commands).toBe(6);
    expect(after.batches - before.batches).toBeLessThan(6);
  });
});
