import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * `npm run cli -- programme:add` against the database of a running install: it refuses to load
 * the file over changes made in the browser, unless told to make a new version; a new version
 * moves the running cases' deadlines at once, each such case getting a new version and an event.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const cli = (...args: string[]) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, SATSA_DATA_DIR: t.dir, SATSA_LOG_LEVEL: 'silent' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });

const sqlite = () => t.services.db.$client;

describe('programme:add on a programme changed in the browser', () => {
  it('refuses without --new-version, and with it puts the file in force and moves running deadlines', async () => {
    const id = await createCase(t, 'Tidsgräns från fil');
    advance(t, id, storyUntilStep(4));
    const dueBefore = (sqlite().prepare("SELECT due_at FROM timers WHERE case_id = ? AND status = 'pending'").get(id) as { due_at: string })
      .due_at;
    // The administrator gives ideas 30 days in the browser.
    const config = t.services.programmes.get(PROGRAMME)!;
    t.services.programmeAdmin.change(t.actors.administrator, PROGRAMME, t.services.programmes.version(PROGRAMME), {
      ...config,
      deadlines: { ...config.deadlines, ideaResponseDays: 30 },
      note: 'Längre svarstid',
    });
    const versionAfterBrowser = t.services.programmes.version(PROGRAMME);

    const refused = await cli('programme:add', PROGRAMME);
    expect(refused.code, refused.out).not.toBe(0);
    expect(refused.out).toContain('--new-version');
    expect(t.services.programmes.version(PROGRAMME)).toBe(versionAfterBrowser);

    const caseVersion = (sqlite().prepare('SELECT version FROM cases WHERE id = ?').get(id) as { version: number }).version;
    const loaded = await cli('programme:add', PROGRAMME, '--new-version');
    expect(loaded.code, loaded.out).toBe(0);
    expect(loaded.out).toContain(`is now at version ${versionAfterBrowser + 1}`);
    expect(t.services.programmes.current(PROGRAMME)).toMatchObject({ version: versionAfterBrowser + 1, source: 'file' });
    // Back to the file's ten days: the deadline moved back, and the case says why.
    const dueAfter = (sqlite().prepare("SELECT due_at FROM timers WHERE case_id = ? AND status = 'pending'").get(id) as { due_at: string })
      .due_at;
    expect(dueAfter).toBe(dueBefore);
    const last = sqlite()
      .prepare('SELECT version, type, actor_id FROM case_events WHERE case_id = ? ORDER BY version DESC LIMIT 1')
      .get(id);
    expect(last).toMatchObject({ version: caseVersion + 1, type: 'DEADLINES_RECOMPUTED' });

    const again = await cli('programme:add', PROGRAMME);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('nothing changed');
  }, 60_000);
});
