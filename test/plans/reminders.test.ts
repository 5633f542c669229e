import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { assignmentTimers } from '../../src/plans/deadlines.js';
import { auth, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { startSmtp, type TestSmtp } from '../smtp.js';

/*
 * The reminders and escalations of a plan's assignments: set when the plan is adopted,
 * cancelled when an assignment is done, set again when it is reopened (if still ahead), fired
 * by the scheduler at 08:00 Swedish time by the test clock, exactly once, also from a second
 * process, and delivered over real SMTP. None for a date that had passed at adoption.
 */

const PUBLIC_URL = 'https://satsa.regionblekinge.se';
const base = `/api/programmes/${PROGRAMME}/plan`;

let smtp: TestSmtp;
let t: TestApp;
let env: Record<string, string>;
let mailbox: string;

type TimerRow = { id: string; assignment_id: string; case_id: string | null; kind: string; due_at: string; status: string };
const timersOf = (assignmentId: string) =>
  t.services.db.$client
    .prepare('SELECT * FROM timers WHERE programme_id = ? AND assignment_id = ? ORDER BY due_at, id')
    .all(PROGRAMME, assignmentId) as TimerRow[];
const outboxOf = (kind: string) =>
  t.services.db.$client.prepare('SELECT * FROM outbox WHERE kind = ? ORDER BY to_address').all(kind) as {
    to_address: string;
    case_id: string | null;
    programme_id: string;
    status: string;
    message_id: string;
  }[];

const plan = {
  title: 'Handlingsplan för psykisk hälsa',
  goals: [{ id: 'mal-1', title: 'Fler mår bra', horizonYears: 4, targetYear: 2030 }],
  assignments: [
    { id: 'kartlaggning', title: 'Kartlägg stödet till anhöriga', responsible: 'Kommunerna i Blekinge', due: 'hösten 2026' },
    { id: 'strategi', title: 'Ta fram en länsstrategi', responsible: 'Region Blekinge', due: 'hösten 2026' },
    { id: 'snart', title: 'Utse kontaktpersoner', responsible: 'Länsstyrelsen', due: '2026-01-20' },
    { id: 'forra-aret', title: 'Redovisa 2025 års arbete', responsible: 'Kommunerna i Blekinge', due: 'hösten 2025' },
  ],
};

async function setStatus(assignmentId: string, status: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: `${base}/assignments/${assignmentId}/status`,
    headers: auth(t.tokens['county-coordinator']),
    payload: { status },
  });
  expect(res.statusCode, res.body).toBe(200);
}

beforeAll(async () => {
  smtp = await startSmtp(0);
  env = {
    SATSA_SMTP_HOST: '127.0.0.1',
    SATSA_SMTP_PORT: String(smtp.port),
    SATSA_MAIL_FROM: 'Satsa Blekinge <satsa@regionblekinge.se>',
    SATSA_PUBLIC_URL: PUBLIC_URL,
  };
  t = await createTestApp({ env });
  mailbox = t.services.programmes.get(PROGRAMME)!.mailbox;
  const admin = auth(t.tokens.administrator);
  // Adopted at the test clock's start, 2026-01-15 09:00 UTC.
  const saved = await t.app.inject({ method: 'PUT', url: `${base}/draft`, headers: { ...admin, 'if-match': '"0"' }, payload: plan });
  expect(saved.statusCode, saved.body).toBe(200);
  const adopted = await t.app.inject({
    method: 'POST',
    url: `${base}/draft/adopt`,
    headers: { ...admin, 'if-match': '"1"' },
    payload: { adoptedBy: 'Regionfullmäktige', reference: '2026-01-14 § 3', decisionDate: '2026-01-14', nextRevisionDue: '2027-12-31' },
  });
  expect(adopted.statusCode, adopted.body).toBe(200);
});

afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe("a plan's assignments", () => {
  it('get a reminder 14 days before the due range ends and an escalation the day after, at 08:00 Swedish time', () => {
    // "hösten 2026" ends 2026-12-31: reminded 2026-12-17, escalated 2027-01-01, 08:00 CET = 07:00 UTC.
    for (const id of ['kartlaggning', 'strategi']) {
      expect(timersOf(id)).toEqual([
        expect.objectContaining({
          id: `plan-${PROGRAMME}:${id}:assignment-reminder:2026-12-31`,
          case_id: null,
          kind: 'assignment-reminder',
          due_at: '2026-12-17T07:00:00.000Z',
          status: 'pending',
        }),
        expect.objectContaining({ kind: 'assignment-overdue', due_at: '2027-01-01T07:00:00.000Z', status: 'pending' }),
      ]);
    }
    // Already within the reminder window when adopted: reminded at once, escalated as usual.
    expect(timersOf('snart').map((r) => [r.kind, r.due_at])).toEqual([
      ['assignment-reminder', '2026-01-15T09:00:00.000Z'],
      ['assignment-overdue', '2026-01-21T07:00:00.000Z'],
    ]);
  });

  it('get nothing for a due date that had passed when the plan was adopted', () => {
    expect(timersOf('forra-aret')).toEqual([]);
    // The rule the import of older plans will use, as a pure function.
    const settings = { assignmentReminderDays: 14, assignmentGraceDays: 1 };
    const due = { from: '2025-07-01', to: '2025-12-31', label: 'hösten 2025' };
    expect(assignmentTimers({ due, status: 'open', adoptedAt: '2026-01-15T09:00:00.000Z' }, settings)).toEqual([]);
    // The last day itself has not passed yet (Swedish time): 00:30 on 1 January is past it.
    expect(assignmentTimers({ due, status: 'open', adoptedAt: '2025-12-31T22:30:00.000Z' }, settings)).toHaveLength(2);
    expect(assignmentTimers({ due, status: 'open', adoptedAt: '2025-12-31T23:30:00.000Z' }, settings)).toEqual([]);
  });

  it('lose their pending timers when done or cancelled', async () => {
    await setStatus('strategi', 'done');
    await setStatus('snart', 'cancelled');
    expect(timersOf('strategi').map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    expect(timersOf('snart').map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    // Still in progress: nothing changes.
    await setStatus('kartlaggning', 'in-progress');
    expect(timersOf('kartlaggning').map((r) => r.status)).toEqual(['pending', 'pending']);
    t.clock.set('2026-02-01T00:00:00.000Z');
    expect(t.services.scheduler.runDue()).toMatchObject({ fired: 0, failed: 0 });
  });

  it('are set again at the next start when the rules for them change meaning (a database from before)', () => {
    const db = t.services.db.$client;
    const before = timersOf('kartlaggning');
    db.prepare("DELETE FROM timers WHERE assignment_id = 'kartlaggning'").run();
    // The same rules: nothing is done at a start.
    t.services.firing.backfill();
    expect(timersOf('kartlaggning')).toEqual([]);
    db.prepare("UPDATE meta SET value = '0' WHERE key = 'assignment-timer-rules-version'").run();
    t.services.firing.backfill();
    const same = (rows: TimerRow[]) => rows.map(({ id, kind, due_at, status }) => ({ id, kind, due_at, status }));
    expect(same(timersOf('kartlaggning'))).toEqual(same(before));
    expect(db.prepare("SELECT value FROM meta WHERE key = 'assignment-timer-rules-version'").get()).toEqual({ value: '1' });
  });

  it('remind the mailbox and the county coordinators over SMTP at the reminder time, once', async () => {
    await t.services.relay.drain();
    smtp.received.length = 0;
    t.clock.set('2026-12-17T06:59:59.000Z');
    expect(t.services.scheduler.runDue().fired).toBe(0);
    t.clock.set('2026-12-17T07:00:00.000Z');
    expect(t.services.scheduler.runDue()).toMatchObject({ fired: 1, failed: 0 });
    expect(t.services.scheduler.runDue().fired).toBe(0);
    expect(await t.services.relay.drain()).toBe(2);

    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual([mailbox, t.actors['county-coordinator'].email].sort());
    const [mail] = smtp.to(t.actors['county-coordinator'].email);
    expect(mail!.mail.subject).toBe('Påminnelse: uppdraget Kartlägg stödet till anhöriga ska vara klart hösten 2026');
    const text = mail!.mail.text!;
    expect(text).toContain('Ansvarig: Kommunerna i Blekinge');
    expect(text).toContain('Ska vara klart: hösten 2026 (senast 2026-12-31, om 14 dagar)');
    expect(text).toContain(`${PUBLIC_URL}/plan`);
    expect(mail!.mail.html).toContain(`href="${PUBLIC_URL}/plan"`);
    // Mail about the plan, not a case: it carries the programme and no case.
    expect(outboxOf('assignment-due')).toEqual([
      expect.objectContaining({ case_id: null, programme_id: PROGRAMME, status: 'sent' }),
      expect.objectContaining({ case_id: null, programme_id: PROGRAMME, status: 'sent' }),
    ]);
  });

  it('reopened, get again only the deadlines still ahead', async () => {
    t.clock.set('2026-12-20T10:00:00.000Z');
    await setStatus('strategi', 'open');
    expect(timersOf('strategi').map((r) => [r.kind, r.status])).toEqual([
      ['assignment-reminder', 'cancelled'],
      ['assignment-overdue', 'pending'],
    ]);
    expect(timersOf('snart').map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('escalate to the steering group too after the due range has ended, exactly once across two processes', async () => {
    const second = await buildApp({
      config: loadConfig({ SATSA_DATA_DIR: t.dir, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false', ...env }),
      now: t.clock.now,
      background: false,
    });
    try {
      // A reminder fired in one process is not fired again by another.
      const reminder = timersOf('kartlaggning')[0]!;
      expect(second.services.firing.fireTimer(reminder.id)).toBe('skipped');

      t.clock.set('2027-01-01T06:59:00.000Z');
      expect(second.services.scheduler.runDue().fired).toBe(0);
      t.clock.set('2027-01-01T07:00:00.000Z');
      const overdue = timersOf('kartlaggning')[1]!;
      expect(second.services.firing.fireTimer(overdue.id)).toBe('fired');
      expect(t.services.firing.fireTimer(overdue.id)).toBe('skipped');
      expect(t.services.scheduler.runDue()).toMatchObject({ fired: 1, failed: 0 });
      expect(second.services.scheduler.runDue().fired).toBe(0);
      expect(t.services.scheduler.runDue().fired).toBe(0);
    } finally {
      await second.app.close();
    }
    smtp.received.length = 0;
    expect(await t.services.relay.drain()).toBe(6);
    const everyone = [mailbox, t.actors['county-coordinator'].email, t.actors['steering-group'].email].sort();
    expect(outboxOf('assignment-overdue').map((r) => r.to_address)).toEqual([...everyone, ...everyone].sort());
    for (const address of everyone) {
      const mails = smtp.to(address);
      expect(mails.map((m) => m.mail.subject).sort()).toEqual([
        'Uppdraget Kartlägg stödet till anhöriga är försenat',
        'Uppdraget Ta fram en länsstrategi är försenat',
      ]);
      expect(mails[0]!.mail.text).toContain(`${PUBLIC_URL}/plan`);
    }
    expect(smtp.received.find((m) => m.mail.subject!.includes('Ta fram'))!.mail.text).toContain('Ansvarig: Region Blekinge');

    // Nothing more, ever: not for the assignments fired, nor for the one whose date had passed.
    t.clock.set('2027-06-01T00:00:00.000Z');
    expect(t.services.scheduler.runDue().fired).toBe(0);
    expect(timersOf('forra-aret')).toEqual([]);
    expect(smtp.received.some((m) => m.mail.subject!.includes('Redovisa 2025'))).toBe(false);
    expect(
      t.services.db.$client.prepare("SELECT count(*) AS n FROM timers WHERE assignment_id IS NOT NULL AND status = 'pending'").get(),
    ).toEqual({ n: 0 });
  });
});
