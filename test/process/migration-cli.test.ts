import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyOfVersion, type StoryStep } from '../../src/demo/story.js';
import { expectReplayReproduces } from '../replay.js';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * `npm run cli -- process:migrate` against the database of a running install: the dry run as a
 * table, then the move of every case that can move (released versions only: the child process
 * knows no version a test builds).
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

function caseOnVersion3(title: string, until: StoryStep['type']) {
  const story = storyOfVersion(3);
  let row = t.services.engine.create(t.actors.initiator, PROGRAMME, { title, summary: 'En idé.' }, 3);
  for (const step of story.slice(
    0,
    story.findIndex((s) => s.type === until),
  )) {
    row = t.services.engine.send({
      caseId: row.id,
      type: step.type,
      payload: step.type === 'RECORD_DECISION' ? { ...step.payload, grantedBudget: [{ year: 2026, amountOre: 100 }] } : step.payload,
      actor: t.actors[step.role],
      role: step.role,
      expectedVersion: row.version,
    }).row;
  }
  return row;
}

describe('process:migrate', () => {
  it('prints the dry run, then moves every case that can move; a case that cannot stays', async () => {
    const early = caseOnVersion3('Tidig', 'PLACE_ON_AGENDA');
    const followedUp = caseOnVersion3('Uppföljd', 'RECORD_SEMINAR');
    const admin = ['--programme', PROGRAMME, '--to', '4', '--email', t.actors.administrator.email];

    const dry = await cli('process:migrate', ...admin, '--dry-run');
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toMatch(new RegExp(`${early.diaryNumber}\\s+3\\s+step 4 of 12: .*step 4 of 12`));
    expect(dry.out).toMatch(new RegExp(`${followedUp.diaryNumber}\\s+3\\s+.*cannot move: The steering group has already followed up`));
    expect(dry.out).toContain('1 of 2 running cases can move to version 4');

    const refused = await cli('process:migrate', ...admin, '--case', followedUp.diaryNumber);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`${followedUp.diaryNumber}: The steering group has already followed up`);

    const run = await cli('process:migrate', ...admin);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain(`moved 1 cases to version 4: ${early.diaryNumber}`);
    const versionOf = (id: string) =>
      (t.services.db.$client.prepare('SELECT machine_version AS v FROM cases WHERE id = ?').get(id) as { v: number }).v;
    expect([versionOf(early.id), versionOf(followedUp.id)]).toEqual([4, 3]);
    expectReplayReproduces(t.services.db.$client, early.id);

    const coordinator = await cli('process:migrate', ...admin.slice(0, 4), '--email', t.actors['county-coordinator'].email, '--dry-run');
    expect(coordinator.code).toBe(1);
  }, 60_000);
});
