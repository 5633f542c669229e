import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_PARTS, joinSnapshot } from '../../src/engine/case-parts.js';
import { createCaseStore } from '../../src/engine/case-store.js';
import { FULL_STORY } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, sendEvent, type TestApp } from '../helpers.js';
import { expectReplayReproduces } from '../replay.js';

/*
 * A case's snapshot is its row and its parts (src/engine/case-parts.ts): a command writes the
 * parts it changed and the columns it changed, nothing else, and the two together read back as
 * the snapshot the machine made (replay proves it).
 */

let t: TestApp;
const sqlite = () => t.services.db.$client;
const untilSeminar = FULL_STORY.slice(
  0,
  FULL_STORY.findIndex((s) => s.type === 'RECORD_SEMINAR'),
);
const seminar = FULL_STORY.find((s) => s.type === 'RECORD_SEMINAR')!;

/** Records every row write to case_parts and every UPDATE that names a projected column of cases. */
function watchWrites() {
  const db = sqlite();
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS writes (what TEXT);
    DELETE FROM writes;
    CREATE TEMP TRIGGER IF NOT EXISTS parts_inserted AFTER INSERT ON case_parts BEGIN INSERT INTO writes VALUES ('part ' || new.part); END;
    CREATE TEMP TRIGGER IF NOT EXISTS parts_updated AFTER UPDATE ON case_parts BEGIN INSERT INTO writes VALUES ('part ' || new.part); END;
    CREATE TEMP TRIGGER IF NOT EXISTS parts_deleted AFTER DELETE ON case_parts BEGIN INSERT INTO writes VALUES ('gone ' || old.part); END;
    CREATE TEMP TRIGGER IF NOT EXISTS status_set AFTER UPDATE OF status ON cases BEGIN INSERT INTO writes VALUES ('column status'); END;
    CREATE TEMP TRIGGER IF NOT EXISTS steps_set AFTER UPDATE OF steps ON cases BEGIN INSERT INTO writes VALUES ('column steps'); END;
    CREATE TEMP TRIGGER IF NOT EXISTS search_set AFTER UPDATE OF search_text ON cases BEGIN INSERT INTO writes VALUES ('column search_text'); END;
    CREATE TEMP TRIGGER IF NOT EXISTS area_set AFTER UPDATE OF priority_area_id ON cases BEGIN INSERT INTO writes VALUES ('column priority_area_id'); END;
  `);
  return () => (db.prepare('SELECT what FROM writes ORDER BY rowid').all() as { what: string }[]).map((w) => w.what);
}

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("a case's snapshot in its row and its parts", () => {
  it('keeps the bulky parts apart from the row, and reads back whole', async () => {
    const id = await createCase(t);
    advance(t, id, untilSeminar);
    const row = sqlite().prepare('SELECT snapshot FROM cases WHERE id = ?').get(id) as { snapshot: string };
    const inline = JSON.parse(row.snapshot) as { context: Record<string, unknown> };
    for (const part of CASE_PARTS) expect(inline.context, part).not.toHaveProperty(part);
    const parts = (sqlite().prepare('SELECT part FROM case_parts WHERE case_id = ?').all(id) as { part: string }[]).map((p) => p.part);
    expect(parts).toContain('proposal');
    expect(parts).toContain('criteria');
    // A running case's row is a fraction of the snapshot: one page, no overflow.
    expect(row.snapshot.length).toBeLessThan(2500);
    const loaded = createCaseStore(t.services.db).load(id)!.snapshot as { context: Record<string, unknown> };
    expect(Object.keys(loaded.context)).toEqual(expect.arrayContaining([...parts, ...Object.keys(inline.context)]));
    expectReplayReproduces(sqlite(), id);
  });

  it('writes only what a command changed: a seminar touches no part and no projected column', async () => {
    const id = await createCase(t);
    advance(t, id, untilSeminar);
    const writes = watchWrites();
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], { type: 'RECORD_SEMINAR', payload: seminar.payload });
    expect(res.statusCode, res.body).toBe(200);
    expect(writes()).toEqual([]);
    expectReplayReproduces(sqlite(), id);
  });

  it('writes the one part a command changed, and the columns that changed', async () => {
    const id = await createCase(t);
    const start = FULL_STORY.findIndex((s) => s.type === 'UPDATE_PROPOSAL');
    advance(t, id, FULL_STORY.slice(0, start));
    const writes = watchWrites();
    advance(t, id, [FULL_STORY[start]!]);
    expect(writes()).toEqual(['part proposal']);
    // Submitting to LSVO moves the case to another step: the step column is written, no part is.
    const submit = FULL_STORY.findIndex((s) => s.type === 'SUBMIT_TO_LSVO');
    advance(t, id, FULL_STORY.slice(start + 1, submit));
    const before = watchWrites();
    advance(t, id, [FULL_STORY[submit]!]);
    expect(before()).toContain('column steps');
    expect(before().filter((w) => w.startsWith('part '))).toEqual([]);
    expectReplayReproduces(sqlite(), id);
  });

  it("moves an older database's snapshots into parts with the migration, and they read back as they were", async () => {
    const id = await createCase(t);
    advance(t, id, untilSeminar);
    const store = createCaseStore(t.services.db);
    const whole = store.load(id)!.snapshot;
    // The case as a database before the migration held it: the whole snapshot in its row.
    sqlite().prepare('DELETE FROM case_parts WHERE case_id = ?').run(id);
    sqlite().prepare('UPDATE cases SET snapshot = ? WHERE id = ?').run(JSON.stringify(whole), id);
    const migration = fs.readFileSync(new URL('../../migrations/0019_case_parts.sql', import.meta.url), 'utf8');
    const statements = migration.split('--> statement-breakpoint').filter((statement) => statement.includes('$.context.'));
    // The migration names the same parts as the engine.
    for (const part of CASE_PARTS) expect(statements.join('\n')).toContain(`'$.context.${part}'`);
    expect(statements.join('\n').match(/'\$\.context\.\w+'/g)!.length).toBe(CASE_PARTS.length * 3);
    // Run on this case alone (the other cases of the test are already split).
    for (const statement of statements) {
      sqlite().exec(
        statement
          .replace(/FROM `cases` WHERE /g, `FROM \`cases\` WHERE \`id\` = '${id}' AND `)
          .replace(/\);\s*$/, `) WHERE \`id\` = '${id}';`),
      );
    }
    expect(JSON.parse(JSON.stringify(store.load(id)!.snapshot))).toEqual(JSON.parse(JSON.stringify(whole)));
    expect(joinSnapshot({ context: {} }, [{ part: 'proposal', data: '{"a":1}' }])).toEqual({ context: { proposal: { a: 1 } } });
  });
});
