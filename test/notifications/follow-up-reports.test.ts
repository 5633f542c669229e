import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_IDEA, FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { advance, auth, createCaseOnVersion, createTestApp, json, sendEvent, type TestApp } from '../helpers.js';
import { startSmtp, type TestSmtp } from '../smtp.js';

/*
 * Machine version 4's messages over real SMTP: the county coordinators are told when an idea
 * is sent (from version 4, when it is raised), the steering group when the initiator submits a
 * follow-up report, and the initiator when the steering group has reviewed it.
 */

const FROM = 'Satsa Blekinge <satsa@regionblekinge.se>';
const URL = 'https://satsa.regionblekinge.se';

let smtp: TestSmtp;
let t: TestApp;
const story = (type: string) => FULL_STORY.find((s) => s.type === type)!;
const kinds = (caseId: string) =>
  (
    t.services.db.$client.prepare('SELECT kind, to_address FROM outbox WHERE case_id = ? ORDER BY created_at, id').all(caseId) as {
      kind: string;
      to_address: string;
    }[]
  ).map((r) => `${r.kind} ${r.to_address}`);

beforeAll(async () => {
  smtp = await startSmtp(0);
  t = await createTestApp({
    env: { SATSA_SMTP_HOST: '127.0.0.1', SATSA_SMTP_PORT: String(smtp.port), SATSA_MAIL_FROM: FROM, SATSA_PUBLIC_URL: URL },
  });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});
beforeEach(async () => {
  await t.services.relay.drain();
  smtp.received.length = 0;
});

describe('machine version 4 messages, over real SMTP', () => {
  it('raising an idea e-mails the county coordinators "En ny idé har kommit in", with a link to the case', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(t.tokens.initiator),
      payload: { title: 'Mötesplats för unga', summary: DEMO_IDEA.summary },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id, diaryNumber } = json<{ id: string; diaryNumber: string }>(res);
    await t.services.relay.drain();

    const coordinator = t.actors['county-coordinator'].email;
    expect(smtp.received.flatMap((r) => r.to)).toEqual([coordinator]);
    const { mail } = smtp.to(coordinator)[0]!;
    expect(mail.subject).toBe(`${diaryNumber}: En ny idé har kommit in`);
    expect(mail.text).toContain('En ny idé har kommit in till');
    expect(mail.text).toContain('Mötesplats för unga');
    expect(mail.text).toContain(DEMO_IDEA.summary);
    expect(mail.text).toContain('Initiativtagare: Test initiator');
    expect(mail.text).toContain(`${URL}/cases/${id}`);
    expect(mail.html).toContain(`href="${URL}/cases/${id}"`);
    // No internal word: no state, event or role id.
    expect(mail.text).not.toMatch(/CONTACT_COORDINATORS|coordinatorContact|open\.idea|idea-sent/);
    expect(kinds(id)).toEqual([`idea-sent ${coordinator}`]);
  });

  it('a version 2 case tells the coordinators when its initiator contacts them', async () => {
    const id = createCaseOnVersion(t, 2, 'Äldre ärende');
    await t.services.relay.drain();
    expect(smtp.received).toHaveLength(0);
    expect((await sendEvent(t, id, t.tokens.initiator, story('CONTACT_COORDINATORS'))).statusCode).toBe(200);
    await t.services.relay.drain();
    expect(smtp.to(t.actors['county-coordinator'].email).map((r) => r.mail.subject)).toEqual([
      expect.stringMatching(/En ny idé har kommit in$/),
    ]);
  });

  it('a submitted follow-up report reaches the steering group; its review reaches the initiator', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(t.tokens.initiator),
      payload: { title: 'Rapporterande satsning', summary: DEMO_IDEA.summary },
    });
    const { id, diaryNumber } = json<{ id: string; diaryNumber: string }>(created);
    advance(t, id, storyUntilStep(10));
    await t.services.relay.drain();
    smtp.received.length = 0;

    const reported = await sendEvent(t, id, t.tokens.initiator, story('SUBMIT_FOLLOW_UP_REPORT'));
    expect(reported.statusCode, reported.body).toBe(200);
    await t.services.relay.drain();
    const steering = t.actors['steering-group'].email;
    expect(smtp.received.flatMap((r) => r.to)).toEqual([steering]);
    const report = smtp.to(steering)[0]!.mail;
    expect(report.subject).toBe(`${diaryNumber}: Uppföljningsrapport att gå igenom`);
    expect(report.text).toContain('Test initiator har lämnat en uppföljningsrapport för satsningen Rapporterande satsning');
    expect(report.text).toContain('Uppföljningen den: 2026-12-01');
    expect(report.text).toMatch(/300\s000/);
    expect(report.text).toContain(`${URL}/cases/${id}`);

    smtp.received.length = 0;
    const reviewed = await sendEvent(t, id, t.tokens['steering-group'], {
      ...story('RECORD_FOLLOW_UP'),
      payload: { ...story('RECORD_FOLLOW_UP').payload, conclusion: 'adjust', adjustment: 'Fler grupper på kvällstid.' },
    });
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    await t.services.relay.drain();
    expect(smtp.received.flatMap((r) => r.to)).toEqual([t.actors.initiator.email]);
    const review = smtp.received[0]!.mail;
    expect(review.subject).toBe(`${diaryNumber}: Styrgruppen har gått igenom uppföljningen`);
    expect(review.text).toContain('Satsningen fortsätter, med de ändringar som står nedan.');
    expect(review.text).toContain('Fler grupper på kvällstid.');
  });
});
