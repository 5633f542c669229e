import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emlFileName } from '../../src/mail/transport.js';
import type { ProgrammeConfig } from '../../src/programmes/config.js';
import { before } from '../../src/retention/periods.js';
import { createRetention } from '../../src/retention/service.js';
import { ERASED_TEXT } from '../../src/engine/log-people.js';
import { createLoginRecords } from '../../src/people/login-records.js';
import { createSentMailPurge } from '../../src/mail/outbox.js';
import { auth, createCase, createTestApp, OTHER_PROGRAMME, PROGRAMME, sendEvent, type TestApp } from '../helpers.js';
import { expectReplayReproduces } from '../replay.js';

/*
 * Retention rules on a real database with an injected clock: exactly what is past each rule's
 * limit goes (and nothing of another programme, nor anything a rule does not name), and every
 * rule that removed something leaves one run row with its decision.
 */

const NOW = '2026-07-15T09:00:00.000Z';
const DAY = 86_400_000;
const MAIL_DECISION = 'RS 2025/311';
const LOGIN_DECISION = 'RS 2025/312';
const CASE_DECISION = 'RS 2025/313';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const sqlite = () => t.services.db.$client;
const all = <T>(query: string, ...params: unknown[]) =>
  sqlite()
    .prepare(query)
    .all(...params) as T[];
const mailDir = () => path.join(t.dir, 'mail');

/** Puts the programme's retention rules (and archive settings) in force as a new version. */
function setRules(programmeId: string, retention: ProgrammeConfig['retention'], archive?: ProgrammeConfig['archive'] | null) {
  const config = t.services.programmes.get(programmeId)!;
  const next = { ...config, retention };
  if (archive === null) delete next.archive;
  else if (archive) next.archive = archive;
  t.services.programmes.change(next, t.actors.administrator.id, null);
}

const runs = (programmeId = PROGRAMME) =>
  all<{ rule: string; decision: string; removed: number; ran_at: string; details: string }>(
    'SELECT rule, decision, removed, ran_at, details FROM retention_runs WHERE programme_id = ? ORDER BY ran_at, rowid',
    programmeId,
  ).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));

/** The outbox rows of cases, by the case's title. */
const mailOf = (title: string) =>
  all<{ id: string; message_id: string; status: string }>(
    'SELECT o.id, o.message_id, o.status FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.title = ? ORDER BY o.id',
    title,
  );

describe('sent e-mail', () => {
  it('removes exactly the messages sent more than the rule’s days ago, with their files; pending, failed and other programmes’ stay', async () => {
    const now = new Date(NOW);
    setRules(PROGRAMME, { sentMail: { days: 30, decision: MAIL_DECISION } });
    // Sent 31, 30 (to the minute) and 29 days ago.
    for (const days of [31, 30, 29]) {
      t.clock.set(new Date(now.getTime() - days * DAY).toISOString());
      await createCase(t, `Skickad för ${days} dagar sedan`);
      await t.services.relay.drain();
    }
    // Another programme's message, 31 days old: that programme has no rule.
    t.clock.set(new Date(now.getTime() - 31 * DAY).toISOString());
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(t.foreignCoordinator.token),
      payload: { title: 'Annat program', summary: 'En idé i ett annat program.' },
    });
    expect(foreign.statusCode).toBe(201);
    await t.services.relay.drain();
    // One that failed and one still pending, both written 40 days ago.
    t.clock.set(new Date(now.getTime() - 40 * DAY).toISOString());
    await createCase(t, 'Misslyckad');
    for (const m of mailOf('Misslyckad')) sqlite().prepare("UPDATE outbox SET to_address = 'ingen adress' WHERE id = ?").run(m.id);
    await t.services.relay.drain();
    await createCase(t, 'Väntar');
    sqlite().prepare("UPDATE outbox SET next_attempt_at = '2099-01-01T00:00:00.000Z' WHERE status = 'pending'").run();
    await t.services.relay.drain();

    const old = mailOf('Skickad för 31 dagar sedan');
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((m) => m.status === 'sent')).toBe(true);
    for (const m of old) expect(fs.existsSync(path.join(mailDir(), emlFileName(m.message_id)))).toBe(true);
    const kept = ['Skickad för 30 dagar sedan', 'Skickad för 29 dagar sedan'].flatMap(mailOf);
    expect(mailOf('Misslyckad').map((m) => m.status)).toEqual(mailOf('Misslyckad').map(() => 'failed'));
    expect(mailOf('Väntar').every((m) => m.status === 'pending')).toBe(true);
    const before31 = all<{ n: number }>('SELECT count(*) AS n FROM outbox')[0]!.n;
    const foreignMail = all<{ id: string }>('SELECT id FROM outbox WHERE programme_id = ?', OTHER_PROGRAMME);
    expect(foreignMail.length).toBeGreaterThan(0);

    t.clock.set(NOW);
    const result = await t.services.retention.run();
    expect(result.map((r) => [r.programmeId, r.rule, r.removed])).toEqual([[PROGRAMME, 'sentMail', old.length]]);

    expect(mailOf('Skickad för 31 dagar sedan')).toEqual([]);
    for (const m of old) expect(fs.existsSync(path.join(mailDir(), emlFileName(m.message_id)))).toBe(false);
    expect(['Skickad för 30 dagar sedan', 'Skickad för 29 dagar sedan'].flatMap(mailOf)).toEqual(kept);
    for (const m of kept) expect(fs.existsSync(path.join(mailDir(), emlFileName(m.message_id)))).toBe(true);
    expect(mailOf('Misslyckad').length).toBeGreaterThan(0);
    expect(mailOf('Väntar').length).toBeGreaterThan(0);
    expect(all<{ id: string }>('SELECT id FROM outbox WHERE programme_id = ?', OTHER_PROGRAMME)).toEqual(foreignMail);
    expect(all<{ n: number }>('SELECT count(*) AS n FROM outbox')[0]!.n).toBe(before31 - old.length);

    expect(runs()).toEqual([
      {
        rule: 'sentMail',
        decision: MAIL_DECISION,
        removed: old.length,
        ran_at: NOW,
        details: {
          before: new Date(now.getTime() - 30 * DAY).toISOString(),
          period: { unit: 'days', count: 30 },
          counts: { messages: old.length },
        },
      },
    ]);
    expect(runs(OTHER_PROGRAMME)).toEqual([]);

    // A second pass finds nothing more and writes no row.
    expect(await t.services.retention.run(PROGRAMME)).toEqual([]);
    expect(runs()).toHaveLength(1);
  });

  it('removes in batches, each its own transaction, and the run row counts them all', async () => {
    setRules(PROGRAMME, { sentMail: { days: 30, decision: MAIL_DECISION } });
    t.clock.set(new Date(Date.parse(NOW) - 40 * DAY).toISOString());
    for (let i = 0; i < 3; i++) await createCase(t, `Gammal ${i}`);
    await t.services.relay.drain();
    const sent = all<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'sent'")[0]!.n;
    expect(sent).toBeGreaterThan(2);
    t.clock.set(NOW);
    const retention = createRetention({
      db: t.services.db,
      now: t.services.now,
      programmes: t.services.programmes,
      sentMail: createSentMailPurge(t.services.db, mailDir()),
      logins: createLoginRecords(t.services.db),
      requireAdministrator: () => undefined,
      batch: 2,
    });
    const [run] = await retention.run(PROGRAMME);
    expect(run).toMatchObject({ rule: 'sentMail', removed: sent });
    expect(runs()).toEqual([expect.objectContaining({ removed: sent, details: expect.objectContaining({ counts: { messages: sent } }) })]);
    expect(fs.readdirSync(mailDir()).filter((f) => f.endsWith('.eml'))).toEqual([]);
  });
});

describe('records of log-ins', () => {
  const now = new Date(NOW);
  const limit = before(now, 6, 'months'); // 2026-01-15T09:00Z
  const at = (ms: number) => new Date(limit.getTime() + ms).toISOString();
  const MINUTE = 60_000;

  /** A session of the user that expired at `expiresAt` (made an hour before it). */
  function sessionEndingAt(userId: string, expiresAt: string) {
    t.clock.set(new Date(Date.parse(expiresAt) - 3_600_000).toISOString());
    return t.services.people.createSession(userId, 1);
  }
  function failedAt(email: string, when: string, address = '10.1.1.1') {
    t.clock.set(when);
    t.services.throttle.failed(email, address);
  }
  function loggedInAt(userId: string, programmeId: string | null, when: string) {
    t.clock.set(when);
    t.services.audit.record({
      actorId: userId,
      programmeId,
      action: 'sso.logged-in',
      subjectUserId: userId,
      details: { provider: 'test' },
    });
  }
  const sessionsOf = (userId: string) =>
    all<{ expires_at: string }>('SELECT expires_at FROM sessions WHERE user_id = ? ORDER BY expires_at', userId).map((r) => r.expires_at);
  const attemptsOf = (email: string) =>
    all<{ last_failure_at: string }>('SELECT last_failure_at FROM login_attempts WHERE account = ? ORDER BY last_failure_at', email).map(
      (r) => r.last_failure_at,
    );
  const entries = (action: string) =>
    all<{ programme_id: string | null; subject_user_id: string; at: string }>(
      'SELECT programme_id, subject_user_id, at FROM audit_log WHERE action = ? ORDER BY at, programme_id',
      action,
    );

  it('removes sessions, failed attempts and log-in entries that ended more than the rule’s months ago, and nothing else', async () => {
    const initiator = t.actors.initiator;
    const foreign = t.foreignCoordinator.actor;
    // A person in both programmes: their records concern both, so the one without a rule keeps them.
    const both = t.actors.finance;
    t.services.people.grantRoles(both.id, OTHER_PROGRAMME, ['finance']);
    setRules(PROGRAMME, { logins: { months: 6, decision: LOGIN_DECISION } });

    for (const id of [initiator.id, foreign.id, both.id]) {
      sessionEndingAt(id, at(-MINUTE));
      sessionEndingAt(id, at(0));
      sessionEndingAt(id, at(MINUTE));
    }
    t.clock.set(NOW);
    const live = t.services.people.createSession(initiator.id, 8);
    for (const email of [initiator.email, foreign.email, both.email, 'ingen.alls@example.se']) {
      failedAt(email, at(-MINUTE), '10.0.0.1');
      failedAt(email, at(MINUTE), '10.0.0.2');
    }
    loggedInAt(initiator.id, PROGRAMME, at(-MINUTE));
    loggedInAt(initiator.id, PROGRAMME, at(MINUTE));
    loggedInAt(foreign.id, OTHER_PROGRAMME, at(-MINUTE));
    loggedInAt(both.id, PROGRAMME, at(-MINUTE));
    loggedInAt(both.id, OTHER_PROGRAMME, at(-MINUTE));
    // Another kind of entry, just as old: never touched.
    t.clock.set(at(-DAY));
    t.services.audit.record({
      actorId: t.actors.administrator.id,
      programmeId: PROGRAMME,
      action: 'person.disabled',
      subjectUserId: initiator.id,
    });
    const otherEntries = entries('person.disabled');
    const foreignSessions = sessionsOf(foreign.id);
    const bothSessions = sessionsOf(both.id);

    t.clock.set(NOW);
    const result = await t.services.retention.run();
    expect(result.map((r) => [r.programmeId, r.rule, r.removed])).toEqual([[PROGRAMME, 'logins', 4]]);

    // The initiator (in this programme only): what ended before the limit is gone, at the limit it stays.
    expect(sessionsOf(initiator.id)).toEqual([at(0), at(MINUTE), live.expiresAt.toISOString()]);
    expect(attemptsOf(initiator.email)).toEqual([at(MINUTE)]);
    expect(entries('sso.logged-in')).toEqual(
      [
        { programme_id: PROGRAMME, subject_user_id: initiator.id, at: at(MINUTE) },
        { programme_id: OTHER_PROGRAMME, subject_user_id: foreign.id, at: at(-MINUTE) },
        // The entry is this programme's record: its rule applies, whatever other programmes the person is in.
        { programme_id: OTHER_PROGRAMME, subject_user_id: both.id, at: at(-MINUTE) },
      ].sort((a, b) => a.at.localeCompare(b.at) || String(a.programme_id).localeCompare(String(b.programme_id))),
    );
    // The other programme has no rule: its people's sessions and attempts stay, and so do those of
    // the person in both, and attempts at an address no account has (they concern every programme).
    expect(sessionsOf(foreign.id)).toEqual(foreignSessions);
    expect(sessionsOf(both.id)).toEqual(bothSessions);
    expect(attemptsOf(foreign.email)).toHaveLength(2);
    expect(attemptsOf(both.email)).toHaveLength(2);
    expect(attemptsOf('ingen.alls@example.se')).toHaveLength(2);
    expect(entries('person.disabled')).toEqual(otherEntries);
    expect(runs()).toEqual([
      {
        rule: 'logins',
        decision: LOGIN_DECISION,
        removed: 4,
        ran_at: NOW,
        details: {
          before: limit.toISOString(),
          period: { unit: 'months', count: 6 },
          counts: { sessions: 1, failedLogins: 1, logInEntries: 2 },
        },
      },
    ]);

    // With a longer rule in the other programme, the records concerning both go after the longer
    // time, under that programme's decision; unknown addresses too.
    setRules(OTHER_PROGRAMME, { logins: { months: 12, decision: 'ÖV 2026/1' } });
    expect(await t.services.retention.run()).toEqual([]);
    expect(sessionsOf(both.id)).toEqual(bothSessions);
    // A year after the first limit: 12 months back is that limit, so what ended a minute before it goes.
    t.clock.set(before(limit, -12, 'months').toISOString());
    const second = await t.services.retention.run();
    expect(second.map((r) => `${r.programmeId} ${r.rule}`).sort()).toEqual([`${PROGRAMME} logins`, `${OTHER_PROGRAMME} logins`]);
    expect(sessionsOf(both.id)).not.toContain(at(-MINUTE));
    expect(attemptsOf(both.email)).toHaveLength(1);
    expect(attemptsOf('ingen.alls@example.se')).toHaveLength(1);
    expect(runs(OTHER_PROGRAMME)).toEqual([expect.objectContaining({ rule: 'logins', decision: 'ÖV 2026/1' })]);
  });

  it('a programme without rules removes nothing', async () => {
    t.clock.set('2020-01-01T00:00:00.000Z');
    t.services.people.createSession(t.foreignCoordinator.actor.id, 1);
    t.services.throttle.failed(t.foreignCoordinator.actor.email, '10.0.0.1');
    t.clock.set(NOW);
    const count = (table: string) => all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)[0]!.n;
    const counts = ['sessions', 'login_attempts', 'audit_log', 'outbox', 'cases'].map(count);
    expect(await t.services.retention.run(OTHER_PROGRAMME)).toEqual([]);
    expect(await t.services.retention.run()).toEqual([]);
    expect(['sessions', 'login_attempts', 'audit_log', 'outbox', 'cases'].map(count)).toEqual(counts);
    expect(all('SELECT * FROM retention_runs')).toEqual([]);
  });
});

describe('closed cases', () => {
  const now = new Date(NOW);
  const limit = before(now, 5, 'years'); // 2021-07-15T09:00Z
  const MINUTE = 60_000;

  /** A case raised a day before `closedAt` and withdrawn at `closedAt`. */
  async function closedAt(title: string, when: string, token = t.tokens.initiator) {
    t.clock.set(new Date(Date.parse(when) - DAY).toISOString());
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(token),
      payload: { title, summary: `${title}: en idé.` },
    });
    const id = (res.json() as { id: string }).id;
    t.clock.set(when);
    const withdrawn = await sendEvent(t, id, token, { type: 'WITHDRAW', payload: { reason: 'Vi drar tillbaka idén.' } });
    expect(withdrawn.statusCode).toBe(200);
    // Something later that does not change the state does not move the time it closed.
    return id;
  }
  function deliver(caseId: string, programmeId = PROGRAMME) {
    sqlite()
      .prepare(
        `INSERT INTO archive_deliveries (id, programme_id, case_id, case_version, package_name, sha256, size, delivered_at, delivered_by)
         VALUES (?, ?, ?, 2, 'paket.zip', 'abc', 1, ?, ?)`,
      )
      .run(`leverans-${caseId}`, programmeId, caseId, NOW, t.actors.administrator.id);
  }

  it('selects the programme’s cases closed more than the rule’s years ago, delivered where the rules say so', async () => {
    const oldDelivered = await closedAt('Gammal levererad', new Date(limit.getTime() - MINUTE).toISOString());
    const oldUndelivered = await closedAt('Gammal ej levererad', new Date(limit.getTime() - MINUTE).toISOString());
    const atLimit = await closedAt('Vid gränsen', limit.toISOString());
    const recent = await closedAt('Nyare', new Date(limit.getTime() + MINUTE).toISOString());
    t.clock.set(new Date(limit.getTime() - 2 * DAY).toISOString());
    const running = await createCase(t, 'Pågår fortfarande');
    const foreign = await closedAt('Annat program', new Date(limit.getTime() - DAY).toISOString(), t.foreignCoordinator.token);
    for (const id of [oldDelivered, atLimit, recent, running]) deliver(id);
    deliver(foreign, OTHER_PROGRAMME);
    t.clock.set(NOW);

    const due = () => t.services.retention.closedCasesDue(PROGRAMME, now).map((c) => c.caseId);
    // No rule: nothing.
    expect(due()).toEqual([]);
    // After delivery (the default).
    setRules(PROGRAMME, { closedCases: { years: 5, decision: CASE_DECISION, afterDelivery: true } });
    expect(due()).toEqual([oldDelivered]);
    expect(t.services.retention.closedCasesDue(PROGRAMME, now)[0]).toMatchObject({
      closedAt: new Date(limit.getTime() - MINUTE).toISOString(),
      diaryNumber: expect.stringMatching(/^[A-ZÅÄÖ]+-/),
    });
    // Not after delivery, but the archive settings keep cases until they are delivered.
    setRules(PROGRAMME, { closedCases: { years: 5, decision: CASE_DECISION, afterDelivery: false } });
    expect(due()).toEqual([oldDelivered]);
    // Not after delivery, and nothing keeps them: both old ones.
    setRules(PROGRAMME, { closedCases: { years: 5, decision: CASE_DECISION, afterDelivery: false } }, null);
    expect(due().sort()).toEqual([oldDelivered, oldUndelivered].sort());
    // The other programme's case is its own rules' business.
    expect(t.services.retention.closedCasesDue(OTHER_PROGRAMME, now)).toEqual([]);
    void running;
  });

  it('without the privacy service, due cases are left as they are and no run is recorded', async () => {
    const id = await closedAt('Gammal', new Date(limit.getTime() - DAY).toISOString());
    deliver(id);
    setRules(PROGRAMME, { closedCases: { years: 5, decision: CASE_DECISION, afterDelivery: true } });
    t.clock.set(NOW);
    const alone = createRetention({
      db: t.services.db,
      now: t.services.now,
      programmes: t.services.programmes,
      sentMail: createSentMailPurge(t.services.db, mailDir()),
      logins: createLoginRecords(t.services.db),
      requireAdministrator: () => undefined,
    });
    expect(await alone.run(PROGRAMME)).toEqual([]);
    expect(runs()).toEqual([]);
    expect(t.services.privacy.isPseudonymised(id)).toBe(false);
  });

  it('pseudonymises each due case once, after its real delivery, and records the run with the diary numbers', async () => {
    const first = await closedAt('Första', new Date(limit.getTime() - 2 * DAY).toISOString());
    const second = await closedAt('Andra', new Date(limit.getTime() - DAY).toISOString());
    const kept = await closedAt('Sparas', new Date(limit.getTime() + DAY).toISOString());
    t.clock.set(NOW);
    await t.services.archive.deliver(t.actors.administrator, PROGRAMME, { caseIds: [first, second, kept] }, 'sv');
    setRules(PROGRAMME, { closedCases: { years: 5, decision: CASE_DECISION, afterDelivery: true } });
    const result = await t.services.retention.run(PROGRAMME);
    expect([first, second, kept].map((id) => t.services.privacy.isPseudonymised(id))).toEqual([true, true, false]);
    // The initiator is no longer on the pseudonymised cases; their text is unreadable; replay holds.
    for (const id of [first, second]) {
      const row = all<{ initiator_id: string; title: string }>('SELECT initiator_id, title FROM cases WHERE id = ?', id)[0]!;
      expect(row.initiator_id).not.toBe(t.actors.initiator.id);
      expect(row.title).toBe(ERASED_TEXT);
      expect(all('SELECT * FROM case_members WHERE case_id = ?', id)).toEqual([]);
      expectReplayReproduces(sqlite(), id);
      const history = all<{ type: string }>('SELECT type FROM case_events WHERE case_id = ? ORDER BY version', id);
      expect(history.at(-1)!.type).toBe('CASE_PSEUDONYMISED');
    }
    expect(all<{ title: string }>('SELECT title FROM cases WHERE id = ?', kept)[0]!.title).toBe('Sparas');
    const diary = (id: string) => all<{ d: string }>('SELECT diary_number AS d FROM cases WHERE id = ?', id)[0]!.d;
    expect(result).toEqual([expect.objectContaining({ rule: 'closedCases', decision: CASE_DECISION, removed: 2 })]);
    expect(runs()).toEqual([
      {
        rule: 'closedCases',
        decision: CASE_DECISION,
        removed: 2,
        ran_at: NOW,
        details: {
          before: limit.toISOString(),
          period: { unit: 'years', count: 5 },
          counts: { cases: 2 },
          diaryNumbers: [diary(first), diary(second)],
        },
      },
    ]);
    // Already pseudonymised: not handed over again, no further row.
    expect(await t.services.retention.run(PROGRAMME)).toEqual([]);
    expect(runs()).toHaveLength(1);
  });
});

describe('run by the scheduler', () => {
  it('runs at start, then again once the clock has moved a day', async () => {
    setRules(PROGRAMME, { sentMail: { days: 30, decision: MAIL_DECISION } });
    t.clock.set(new Date(Date.parse(NOW) - 31 * DAY).toISOString());
    await createCase(t, 'Först');
    await t.services.relay.drain();
    t.clock.set(new Date(Date.parse(NOW) - 29.5 * DAY).toISOString());
    await createCase(t, 'Sedan');
    await t.services.relay.drain();
    t.clock.set(NOW);

    t.services.scheduler.start(20);
    try {
      await expect.poll(() => runs().length).toBe(1);
      expect(mailOf('Först')).toEqual([]);
      expect(mailOf('Sedan').length).toBeGreaterThan(0);
      // Polls within the day start no further pass.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await t.services.scheduler.idle();
      expect(runs()).toHaveLength(1);
      // A day later by the clock, the next poll runs the pass: the second message is past the limit now.
      t.clock.advance(DAY);
      await expect.poll(() => runs().length).toBe(2);
      expect(mailOf('Sedan')).toEqual([]);
      expect(runs()[1]!.ran_at).toBe(new Date(Date.parse(NOW) + DAY).toISOString());
    } finally {
      await t.services.scheduler.stop();
    }
  });
});

describe('the limits', () => {
  it('count days exactly, and months and years by the calendar, ending on the last day of a shorter month', () => {
    const at = new Date('2026-03-31T09:00:00.000Z');
    expect(before(at, 30, 'days').toISOString()).toBe('2026-03-01T09:00:00.000Z');
    expect(before(at, 1, 'months').toISOString()).toBe('2026-02-28T09:00:00.000Z');
    expect(before(at, 13, 'months').toISOString()).toBe('2025-02-28T09:00:00.000Z');
    expect(before(new Date('2028-02-29T00:00:00.000Z'), 1, 'years').toISOString()).toBe('2027-02-28T00:00:00.000Z');
    expect(before(new Date('2026-07-15T09:00:00.000Z'), 5, 'years').toISOString()).toBe('2021-07-15T09:00:00.000Z');
  });
});
