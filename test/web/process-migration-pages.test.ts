import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyOfVersion } from '../../src/demo/story.js';
import { expectReplayReproduces } from '../replay.js';
import { createTestApp, mainText, pageSession, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * The administrator's page of the process's versions: the dry run as a table, the choice of
 * cases, the check before the move, the notice after; the case's history says it in words.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

function caseOnVersion3(title: string, until: string) {
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

describe('/programme/process', () => {
  it('shows the dry run, checks the choice, moves the cases and says so; the history shows the move', async () => {
    const early = caseOnVersion3('Tidig idé', 'PLACE_ON_AGENDA');
    const followedUp = caseOnVersion3('Uppföljd satsning', 'RECORD_SEMINAR');
    const admin = pageSession(t, t.actors.administrator);

    const page = await admin.get('/programme/process');
    expect(page.statusCode).toBe(200);
    const text = mainText(page.body);
    expect(text).toContain('Processens version 4');
    expect(text).toContain('Flytta ärenden till processens version 4');
    expect(text).toContain(early.diaryNumber);
    expect(text).toContain('Styrgruppen har redan följt upp satsningen');
    // No internal ids or state names.
    expect(text).not.toMatch(/coordinationGroup|open\.|running\.|follow-ups-recorded|v3-to-v4/);
    expect(page.body).toContain(`value="${early.id}:${early.version}" checked`);
    expect(page.body).not.toContain(`value="${followedUp.id}:`);

    const none = await admin.post('/programme/process/check', { to: '4' });
    expect(none.statusCode).toBe(422);
    expect(mainText(none.body)).toContain('Välj minst ett ärende att flytta');

    const choice = { to: '4', case: `${early.id}:${early.version}` };
    const check = await admin.post('/programme/process/check', choice);
    expect(check.statusCode).toBe(200);
    expect(mainText(check.body)).toContain('Det går inte att ångra en flytt');

    const moved = await admin.post('/programme/process/migrate', { ...choice, confirm: 'yes' });
    expect(moved.statusCode, moved.body.slice(0, 300)).toBe(303);
    expect(moved.headers.location).toBe('/programme/process?done=1&to=4');
    const after = await admin.get('/programme/process?done=1&to=4');
    expect(mainText(after.body)).toContain('1 ärenden följer nu processens version 4');
    expectReplayReproduces(t.services.db.$client, early.id);

    // Again: the case has moved on, so nothing is moved and the page says which case and why.
    const again = await admin.post('/programme/process/migrate', { ...choice, confirm: 'yes' });
    expect(again.statusCode).toBe(409);
    expect(mainText(again.body)).toContain(`${early.diaryNumber}: Ärendet har ändrats sedan förhandsgranskningen`);

    const casePage = await pageSession(t, t.actors.initiator).get(`/cases/${early.id}`);
    expect(mainText(casePage.body)).toContain('Ärendet flyttades från processens version 3 till version 4');
  });

  it('is in English too, and only for the programme’s administrators', async () => {
    const admin = pageSession(t, t.actors.administrator);
    const englishAdmin = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'admin.en@test.satsa.se',
      displayName: 'English administrator',
      roles: ['administrator'],
      language: 'en',
    });
    const english = await pageSession(t, englishAdmin).get('/programme/process');
    expect(english.statusCode).toBe(200);
    expect(mainText(english.body)).toContain('Versions of the process');
    for (const role of ['initiator', 'county-coordinator'] as const) {
      expect((await pageSession(t, t.actors[role]).get('/programme/process')).statusCode).toBe(403);
    }
    expect((await admin.get('/programme/settings')).body).toContain('href="/programme/process"');
  });
});
