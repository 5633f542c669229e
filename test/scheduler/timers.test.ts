import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { advance, auth, createCase, createTestApp, json, sendEvent, type TestApp } from '../helpers.js';

/*
 * Durable deadlines: set and cancelled with the case's state, fired by the scheduler
 * through the engine exactly once, also across a restart. Time comes from the test clock.
 */

const storyStep = (type: string) => FULL_STORY.find((s) => s.type === type)!;

type TimerRow = { id: string; kind: string; due_at: string; status: string; settled_at: string | null };

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const timersOf = (app: TestApp, caseId: string) =>
  app.services.db.$client.prepare('SELECT * FROM timers WHERE case_id = ? ORDER BY due_at, id').all(caseId) as TimerRow[];
const messages = (app: TestApp, kind: string, caseId: string) =>
  app.services.db.$client.prepare('SELECT * FROM outbox WHERE kind = ? AND case_id = ?').all(kind, caseId) as {
    to_address: string;
    message_id: string;
  }[];

async function submitted(app: TestApp) {
  const id = await createCase(app);
  advance(app, id, storyUntilStep(4));
  return id;
}

describe('a submitted idea without a response', () => {
  it('reminds the mailbox and the coordinators once, ten days later at 08:00 Swedish time', async () => {
    t = await createTestApp();
    const id = await submitted(t);
    // Submitted 2026-01-15; the programme says ten days; 08:00 in January is 07:00 UTC.
    expect(timersOf(t, id)).toEqual([
      expect.objectContaining({ kind: 'idea-unanswered', due_at: '2026-01-25T07:00:00.000Z', status: 'pending' }),
    ]);
    const view = await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(t.tokens['county-coordinator']) });
    expect(json<{ deadlines: unknown[] }>(view).deadlines).toEqual([
      expect.objectContaining({ kind: 'idea-unanswered', status: 'pending', label: 'Påminnelse om idébeskrivning utan svar' }),
    ]);

    t.clock.set('2026-01-25T06:59:59.000Z');
    expect(t.services.scheduler.runDue().fired).toBe(0);
    t.clock.set('2026-01-25T07:00:00.000Z');
    expect(t.services.scheduler.runDue()).toMatchObject({ fired: 1, failed: 0 });
    expect(t.services.scheduler.runDue().fired).toBe(0);
    expect(timersOf(t, id)[0]).toMatchObject({ status: 'fired', settled_at: '2026-01-25T07:00:00.000Z' });
    const sent = messages(t, 'idea-unanswered', id)
      .map((m) => m.to_address)
      .sort();
    expect(sent).toEqual(['county-coordinator@test.satsa.se', 'uppdrag.psykiskhalsa@regionblekinge.se']);
    const data = t.services.db.$client.prepare("SELECT data FROM outbox WHERE kind = 'idea-unanswered'").get() as { data: string };
    expect(JSON.parse(data.data)).toMatchObject({ daysWaiting: '10', submittedDate: '2026-01-15' });
  });

  it('is cancelled when a coordinator responds by placing the idea on the agenda', async () => {
    t = await createTestApp();
    const id = await submitted(t);
    t.clock.set('2026-01-20T10:00:00.000Z');
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('PLACE_ON_AGENDA'));
    expect(res.statusCode, res.body).toBe(200);
    expect(timersOf(t, id)[0]).toMatchObject({ status: 'cancelled', settled_at: '2026-01-20T10:00:00.000Z' });
    t.clock.set('2026-03-01T00:00:00.000Z');
    expect(t.services.scheduler.runDue().fired).toBe(0);
    expect(messages(t, 'idea-unanswered', id)).toHaveLength(0);
  });

  it('is cancelled when the initiator withdraws the case', async () => {
    t = await createTestApp();
    const id = await submitted(t);
    const res = await sendEvent(t, id, t.tokens.initiator, { type: 'WITHDRAW', payload: { reason: 'Vi har hittat en annan lösning.' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(timersOf(t, id).map((r) => r.status)).toEqual(['cancelled']);
  });

  it('a timer whose state was left without going through the engine is cancelled when it comes due, not sent', async () => {
    t = await createTestApp();
    const id = await submitted(t);
    const other = await submitted(t);
    // Simulate a timer left pending by an older version of the rules: it no longer matches the case.
    t.services.db.$client.prepare("UPDATE timers SET id = id || '-stale', due_at = '2026-01-16T00:00:00.000Z' WHERE case_id = ?").run(id);
    t.clock.set('2026-01-17T00:00:00.000Z');
    const result = t.services.scheduler.runDue();
    expect(result).toMatchObject({ cancelled: 1, fired: 0 });
    expect(messages(t, 'idea-unanswered', id)).toHaveLength(0);
    expect(timersOf(t, other)[0]!.status).toBe('pending');
  });
});

describe('deadlines that change', () => {
  it("follow the programme's deadlines when they change: an early timer is moved, not fired", async () => {
    t = await createTestApp();
    const id = await submitted(t);
    const blekinge = t.services.programmes.get('uph-blekinge')!;
    t.services.programmes.upsert({ ...blekinge, deadlines: { ...blekinge.deadlines, ideaResponseDays: 30 } });
    // Before anyone reconciles, the old due time comes: the timer is moved instead of fired.
    t.clock.set('2026-01-25T07:00:00.000Z');
    expect(t.services.scheduler.runDue()).toMatchObject({ fired: 0, skipped: 1 });
    expect(timersOf(t, id)[0]).toMatchObject({ status: 'pending', due_at: '2026-02-14T07:00:00.000Z' });
    expect(messages(t, 'idea-unanswered', id)).toHaveLength(0);
    // Back to ten days, reconciled for the whole programme at once (as `programme:add` does).
    t.services.programmes.upsert(blekinge);
    expect(t.services.firing.reconcileAll('uph-blekinge')).toBe(1);
    expect(timersOf(t, id)[0]).toMatchObject({ status: 'pending', due_at: '2026-01-25T07:00:00.000Z' });
    expect(t.services.scheduler.runDue().fired).toBe(1);
  });

  it('a case under way before the timer rules existed gets its deadlines at the next start', async () => {
    t = await createTestApp();
    const id = await createCase(t);
    advance(t, id, storyUntilStep(10));
    const sqlite = t.services.db.$client;
    sqlite.prepare('DELETE FROM timers').run();
    sqlite.prepare('DELETE FROM meta').run();
    expect(t.services.firing.backfill()).toBe(1);
    expect(timersOf(t, id).filter((r) => r.status === 'pending')).toHaveLength(6);
    // Once per version of the rules: the next start does nothing.
    expect(t.services.firing.backfill()).toBeUndefined();
  });

  it('an idea submitted just after midnight Swedish time counts from that Swedish date', async () => {
    t = await createTestApp();
    const id = await createCase(t);
    advance(t, id, storyUntilStep(3));
    t.clock.set('2026-01-15T23:30:00.000Z'); // 00:30 on 16 January in Karlshamn
    advance(t, id, [storyStep('SUBMIT_IDEA_TEMPLATE')]);
    expect(timersOf(t, id)[0]).toMatchObject({ due_at: '2026-01-26T07:00:00.000Z' });
  });
});

describe('follow-up reports', () => {
  async function decided(app: TestApp) {
    const id = await createCase(app);
    advance(app, id, storyUntilStep(10));
    return id;
  }

  it('get a reminder before and an escalation after each decided date, until reported', async () => {
    t = await createTestApp();
    const id = await decided(t);
    // The idea's own reminder went when the coordinators answered it.
    expect(
      timersOf(t, id)
        .filter((r) => r.kind === 'idea-unanswered')
        .map((r) => r.status),
    ).toEqual(['cancelled']);
    const followUps = () => timersOf(t!, id).filter((r) => r.kind.startsWith('follow-up'));
    const pending = followUps().map((r) => `${r.kind} ${r.due_at}`);
    // Dates 2026-12-01, 2027-06-01, 2027-12-01; reminders 14 days before, escalation one day after, at 08:00 local.
    expect(pending).toEqual([
      'follow-up-reminder 2026-11-17T07:00:00.000Z',
      'follow-up-overdue 2026-12-02T07:00:00.000Z',
      'follow-up-reminder 2027-05-18T06:00:00.000Z',
      'follow-up-overdue 2027-06-02T06:00:00.000Z',
      'follow-up-reminder 2027-11-17T07:00:00.000Z',
      'follow-up-overdue 2027-12-02T07:00:00.000Z',
    ]);

    t.clock.set('2026-11-17T07:00:00.000Z');
    expect(t.services.scheduler.runDue().fired).toBe(1);
    expect(
      messages(t, 'follow-up-due', id)
        .map((m) => m.to_address)
        .sort(),
    ).toEqual(['initiator@test.satsa.se', 'steering-group@test.satsa.se']);

    // The report for 2026-12-01 arrives in time: its escalation is cancelled, the later dates stay.
    t.clock.set('2026-11-30T12:00:00.000Z');
    // (Machine version 4: the initiator's report settles the date; the steering group reviews it.)
    const res = await sendEvent(t, id, t.tokens.initiator, storyStep('SUBMIT_FOLLOW_UP_REPORT'));
    expect(res.statusCode, res.body).toBe(200);
    expect(followUps().map((r) => `${r.kind} ${r.status}`)).toEqual([
      'follow-up-reminder fired',
      'follow-up-overdue cancelled',
      'follow-up-reminder pending',
      'follow-up-overdue pending',
      'follow-up-reminder pending',
      'follow-up-overdue pending',
    ]);

    // The June report is not sent: both the reminder and the escalation fire, once each.
    t.clock.set('2027-06-03T00:00:00.000Z');
    expect(t.services.scheduler.runDue().fired).toBe(2);
    expect(t.services.scheduler.runDue().fired).toBe(0);
    const overdue = messages(t, 'follow-up-overdue', id)
      .map((m) => m.to_address)
      .sort();
    expect(overdue).toEqual(['county-coordinator@test.satsa.se', 'initiator@test.satsa.se', 'steering-group@test.satsa.se']);
    const data = t.services.db.$client.prepare("SELECT data FROM outbox WHERE kind = 'follow-up-overdue' LIMIT 1").get() as {
      data: string;
    };
    expect(JSON.parse(data.data)).toMatchObject({ followUpDate: '2027-06-01', daysOverdue: '2' });
  });

  it('are all cancelled when the initiative ends', async () => {
    t = await createTestApp();
    const id = await decided(t);
    const res = await sendEvent(t, id, t.tokens['steering-group'], storyStep('END_INITIATIVE'));
    expect(res.statusCode, res.body).toBe(200);
    expect(new Set(timersOf(t, id).map((r) => r.status))).toEqual(new Set(['cancelled']));
    expect(timersOf(t, id).filter((r) => r.kind.startsWith('follow-up'))).toHaveLength(6);
  });
});

describe('firing', () => {
  it('a timer fired twice, from two connections to the same database, is applied once', async () => {
    t = await createTestApp();
    const id = await submitted(t);
    const second = await buildApp({
      config: loadConfig({ SATSA_DATA_DIR: t.dir, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false' }),
      now: t.clock.now,
      background: false,
    });
    try {
      t.clock.set('2026-02-01T00:00:00.000Z');
      const [timer] = timersOf(t, id);
      expect(second.services.firing.fireTimer(timer!.id)).toBe('fired');
      expect(t.services.firing.fireTimer(timer!.id)).toBe('skipped');
      expect(t.services.scheduler.runDue().fired).toBe(0);
      expect(second.services.scheduler.runDue().fired).toBe(0);
      expect(messages(t, 'idea-unanswered', id)).toHaveLength(2);
    } finally {
      await second.app.close();
    }
  });

  it('a timer that came due while the server was stopped fires once when it starts again', async () => {
    t = await createTestApp();
    const id = await submitted(t);
    const { dir, clock } = t;
    const config = loadConfig({ SATSA_DATA_DIR: dir, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false', SATSA_POLL_SECONDS: '3600' });
    // Stop the server with the timer pending.
    await t.app.close();
    t.services.db.$client.close();
    t = undefined;
    try {
      clock.set('2026-02-10T09:00:00.000Z');
      for (let start = 1; start <= 2; start += 1) {
        const { app, services } = await buildApp({ config, now: clock.now });
        await app.ready(); // the scheduler and the relay start here, catching up in the background
        await services.scheduler.idle();
        await services.relay.drain();
        const db = services.db.$client;
        expect(db.prepare('SELECT status, settled_at FROM timers WHERE case_id = ?').all(id)).toEqual([
          { status: 'fired', settled_at: '2026-02-10T09:00:00.000Z' },
        ]);
        const rows = db.prepare("SELECT message_id, status FROM outbox WHERE kind = 'idea-unanswered'").all() as {
          message_id: string;
          status: string;
        }[];
        expect(rows).toHaveLength(2);
        expect(rows.every((r) => r.status === 'sent')).toBe(true);
        expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
        await app.close();
      }
      // The embedded default wrote each message once, as an .eml file named after its Message-ID.
      const files = fs.readdirSync(path.join(dir, 'mail')).filter((f) => f.includes('idea-unanswered'));
      expect(files).toHaveLength(2);
      const mail = await simpleParser(fs.readFileSync(path.join(dir, 'mail', files[0]!)));
      expect(mail.subject).toMatch(/^UPH-2026-\d{4}: /);
      // Submitted 2026-01-15, fired 2026-02-10: it had waited 26 days.
      expect(mail.text).toContain('2026-01-15');
      expect(mail.text).toContain('26 dagar');
      expect(mail.html).toContain('<html lang="sv">');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
