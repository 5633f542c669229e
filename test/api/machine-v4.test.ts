import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_CASE_MACHINE_VERSION } from '../../machines/versions.js';
import { DEMO_IDEA, FULL_STORY, storyOfVersion, storyUntilStep } from '../../src/demo/story.js';
import { expectReplayReproduces, rowsOf } from '../replay.js';
import { advance, auth, createTestApp, json, PROGRAMME, sendEvent, type TestApp } from '../helpers.js';

/*
 * Machine version 4 over the API: raising an idea sends it (CONTACT_COORDINATORS, a real
 * event of the initiator's, in the same transaction), the initiator submits a follow-up report
 * for each follow-up date, and the steering group's follow-up is the review of one. Cases of
 * earlier versions keep their process.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const story = <T extends string>(type: T) => FULL_STORY.find((s) => s.type === type)!;
const REPORT = story('SUBMIT_FOLLOW_UP_REPORT');
const REVIEW = story('RECORD_FOLLOW_UP');

interface View {
  id: string;
  version: number;
  steps: number[];
  machineVersion: number;
  data: { contact?: { message: string; by: string; role: string }; followUpReports?: { followUpDate: string }[]; followUps: unknown[] };
  allowedEvents: { type: string }[];
  blockedEvents: { type: string; reasons: { code: string; requirement?: string; message: string }[] }[];
  deadlines: { kind: string; status: string; data: unknown }[];
}
const view = async (id: string, token = t.tokens.initiator) =>
  json<View>(await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(token) }));

async function raise(title: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: auth(t.tokens.initiator),
    payload: { title, summary: DEMO_IDEA.summary },
  });
  expect(res.statusCode, res.body).toBe(201);
  return json<View>(res);
}

describe('machine version 4: the idea is sent when it is raised', () => {
  it('a new case is on version 4 and stands at step 2, with the contact recorded as the initiator’s event', async () => {
    expect(CURRENT_CASE_MACHINE_VERSION).toBe(4);
    const created = await raise('Skickas direkt');
    expect(created.machineVersion).toBe(4);
    expect(created.steps).toEqual([2]);
    expect(created.version).toBe(2);
    expect(created.data.contact).toMatchObject({ message: DEMO_IDEA.summary, by: t.actors.initiator.id, role: 'initiator' });
    // Nothing to send again.
    expect(created.allowedEvents.map((e) => e.type)).not.toContain('CONTACT_COORDINATORS');

    const { events } = rowsOf(t.services.db.$client, created.id);
    expect(events.map((e) => [e.version, e.type, e.actor_id, e.actor_role])).toEqual([
      [1, 'CASE_CREATED', t.actors.initiator.id, 'initiator'],
      [2, 'CONTACT_COORDINATORS', t.actors.initiator.id, 'initiator'],
    ]);
    expect(events[1]!.at).toBe(events[0]!.at);
    expectReplayReproduces(t.services.db.$client, created.id);
  });

  it('the history shows the idea sent, with the step it led to', async () => {
    const created = await raise('Historik');
    const res = await t.app.inject({ method: 'GET', url: `/api/cases/${created.id}/history`, headers: auth(t.tokens.initiator) });
    expect(res.statusCode).toBe(200);
    const history = json<{ events: { type: string; label: string; stepsAfter: number[] }[] }>(res);
    expect(history.events.map((e) => e.type)).toEqual(['CASE_CREATED', 'CONTACT_COORDINATORS']);
    expect(history.events[1]!.stepsAfter).toEqual([2]);
  });
});

describe('machine version 4: follow-up reports', () => {
  it('the steering group reviews only a submitted report; the initiator reports on an outstanding date once', async () => {
    const created = await raise('Rapporterar');
    advance(t, created.id, storyUntilStep(10));
    const steering = t.tokens['steering-group'];

    // No report yet: the review waits for one, and says so.
    const early = await sendEvent(t, created.id, steering, REVIEW);
    expect(early.statusCode, early.body).toBe(422);
    expect(json<{ unmet: { id: string }[] }>(early).unmet.map((u) => u.id)).toEqual(['follow-up-report-submitted']);
    const blocked = (await view(created.id, steering)).blockedEvents.find((e) => e.type === 'RECORD_FOLLOW_UP')!;
    expect(blocked.reasons.map((r) => r.requirement)).toEqual(['follow-up-report-submitted']);
    expect(blocked.reasons[0]!.message).toBe(
      'Initiativtagaren har lämnat en uppföljningsrapport som styrgruppen inte har gått igenom ännu.',
    );

    // Only the initiator reports, and only on one of the decision's dates.
    const byCoordinator = await sendEvent(t, created.id, t.tokens['county-coordinator'], REPORT);
    expect(byCoordinator.statusCode).toBe(403);
    const otherDate = await sendEvent(t, created.id, t.tokens.initiator, {
      ...REPORT,
      payload: { ...REPORT.payload, followUpDate: '2026-11-30' },
    });
    expect(otherDate.statusCode, otherDate.body).toBe(422);
    expect(json<{ unmet: { id: string; subject?: string }[] }>(otherDate).unmet).toMatchObject([
      { id: 'follow-up-date-open', subject: '2026-11-30' },
    ]);

    const reported = await sendEvent(t, created.id, t.tokens.initiator, REPORT);
    expect(reported.statusCode, reported.body).toBe(200);
    const after = await view(created.id);
    expect(after.data.followUpReports).toMatchObject([{ followUpDate: '2026-12-01', by: t.actors.initiator.id }]);
    // Its date is settled: no reminder or escalation stands for it any more; the next date's do.
    const pending = after.deadlines
      .filter((d) => d.status === 'pending')
      .map(
        (d) =>
          `${d.kind} ${(typeof d.data === 'string' ? (JSON.parse(d.data) as { followUpDate?: string }) : (d.data as { followUpDate?: string }))?.followUpDate}`,
      );
    expect(pending.some((p) => p.endsWith('2026-12-01'))).toBe(false);
    expect(pending).toContain('follow-up-reminder 2027-06-01');

    // The same date is not reported twice.
    const again = await sendEvent(t, created.id, t.tokens.initiator, REPORT);
    expect(again.statusCode).toBe(422);
    expect(json<{ unmet: { id: string }[] }>(again).unmet.map((u) => u.id)).toEqual(['follow-up-date-open']);

    // The review, then nothing more to review until the next report.
    const reviewed = await sendEvent(t, created.id, steering, REVIEW);
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    expect((await view(created.id)).data.followUps).toHaveLength(1);
    expect((await sendEvent(t, created.id, steering, REVIEW)).statusCode).toBe(422);

    const second = await sendEvent(t, created.id, t.tokens.initiator, {
      ...REPORT,
      payload: { ...REPORT.payload, followUpDate: '2027-06-01', deviations: undefined },
    });
    expect(second.statusCode, second.body).toBe(200);
    const stop = await sendEvent(t, created.id, steering, { ...REVIEW, payload: { ...REVIEW.payload, conclusion: 'stop' } });
    expect(stop.statusCode, stop.body).toBe(200);
    expect(json<{ outcome: string }>(stop).outcome).toBe('stopped');
    expectReplayReproduces(t.services.db.$client, created.id);
  });

  it('a report needs a running initiative', async () => {
    const created = await raise('För tidigt');
    const res = await sendEvent(t, created.id, t.tokens.initiator, REPORT);
    expect(res.statusCode).toBe(422);
    expect(json<{ code: string }>(res).code).toBe('case-not-running');
  });

  it('the whole story runs to the end on version 4 and replays', async () => {
    const created = await raise('Hela vägen');
    advance(t, created.id, FULL_STORY);
    const { snapshot } = expectReplayReproduces(t.services.db.$client, created.id);
    expect(snapshot.value).toBe('scaledUp');
  });
});

describe('cases of earlier versions keep their process', () => {
  /** A case raised on machine version 2, as before version 4 was released. */
  function raiseOnV2(title: string) {
    return t.services.engine.create(t.actors.initiator, PROGRAMME, { title, summary: DEMO_IDEA.summary }, 2).id;
  }

  it('a version 2 case stands at step 1 until the initiator contacts the coordinators', async () => {
    const id = raiseOnV2('Version 2, steg 1');
    const before = await view(id);
    expect(before.machineVersion).toBe(2);
    expect(before.steps).toEqual([1]);
    expect(before.allowedEvents.map((e) => e.type)).toContain('CONTACT_COORDINATORS');
    const contact = await sendEvent(t, id, t.tokens.initiator, story('CONTACT_COORDINATORS'));
    expect(contact.statusCode, contact.body).toBe(200);
    expect(json<View>(contact).steps).toEqual([2]);
  });

  it('a version 2 case takes the steering group’s follow-up without a report, and has no report to submit', async () => {
    const id = raiseOnV2('Version 2, uppföljning');
    advance(
      t,
      id,
      storyOfVersion(2).slice(
        0,
        storyOfVersion(2).findIndex((s) => s.type === 'RECORD_FOLLOW_UP'),
      ),
    );
    const running = await view(id);
    expect(running.steps).toEqual([10, 11, 12]);
    expect(running.data.followUpReports).toBeUndefined();
    expect(running.blockedEvents.find((e) => e.type === 'SUBMIT_FOLLOW_UP_REPORT')!.reasons.map((r) => r.code)).toEqual(['wrong-step']);

    const report = await sendEvent(t, id, t.tokens.initiator, REPORT);
    expect(report.statusCode).toBe(409);
    const reviewed = await sendEvent(t, id, t.tokens['steering-group'], REVIEW);
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    expect((await view(id)).data.followUps).toHaveLength(1);
  });

  it('a version 2 case through its whole story still replays exactly', async () => {
    const id = raiseOnV2('Version 2, hela vägen');
    advance(t, id, storyOfVersion(2));
    const { row, snapshot } = expectReplayReproduces(t.services.db.$client, id);
    expect(row.machine_version).toBe(2);
    expect(snapshot.value).toBe('scaledUp');
  });
});
