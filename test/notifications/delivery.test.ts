import ICAL from 'ical.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { advance, auth, createCase, createTestApp, json, sendEvent, type TestApp } from '../helpers.js';
import { startSmtp, type TestSmtp } from '../smtp.js';

/*
 * Real delivery: the app sends through nodemailer to an SMTP server this test starts on
 * 127.0.0.1, and the test reads what arrived.
 */

const MAILBOX = 'uppdrag.psykiskhalsa@regionblekinge.se';
const FROM = 'Satsa Blekinge <satsa@regionblekinge.se>';
const REJECTED = 'rejected@test.satsa.se';

let smtp: TestSmtp;
let t: TestApp;

type OutboxRow = {
  id: string;
  message_id: string;
  kind: string;
  to_address: string;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string;
  language: string;
};
const outboxRows = (where = '1 = 1', ...params: unknown[]) =>
  t.services.db.$client.prepare(`SELECT * FROM outbox WHERE ${where} ORDER BY created_at, id`).all(...params) as OutboxRow[];

const storyStep = (type: string) => FULL_STORY.find((s) => s.type === type)!;

async function caseAt(step: number, title?: string) {
  const id = await createCase(t, title);
  advance(t, id, storyUntilStep(step));
  // What getting here sent is not what the test is about.
  await t.services.relay.drain();
  smtp.received.length = 0;
  return id;
}

beforeAll(async () => {
  smtp = await startSmtp(0, [REJECTED]);
  t = await createTestApp({
    env: {
      SATSA_SMTP_HOST: '127.0.0.1',
      SATSA_SMTP_PORT: String(smtp.port),
      SATSA_MAIL_FROM: FROM,
      SATSA_MAIL_MAX_ATTEMPTS: '3',
      SATSA_PUBLIC_URL: 'https://satsa.regionblekinge.se',
    },
  });
  // The county coordinator reads English; everyone else keeps Swedish.
  const res = await t.app.inject({
    method: 'PATCH',
    url: '/api/me/preferences',
    headers: auth(t.tokens['county-coordinator']),
    payload: { language: 'en' },
  });
  expect(res.statusCode, res.body).toBe(200);
});

afterAll(async () => {
  await t.close();
  await smtp.close();
});

beforeEach(async () => {
  await t.services.relay.drain();
  smtp.received.length = 0;
});

describe('who is told what, over real SMTP', () => {
  it('a submitted idea reaches the mailbox and the county coordinators, each in their language, once', async () => {
    const id = await caseAt(3);
    const res = await sendEvent(t, id, t.tokens.initiator, storyStep('SUBMIT_IDEA_TEMPLATE'));
    expect(res.statusCode, res.body).toBe(200);
    expect(await t.services.relay.drain()).toBe(2);

    const diary = json<{ diaryNumber: string }>(res).diaryNumber;
    const [toMailbox] = smtp.to(MAILBOX);
    const [toCoordinator] = smtp.to(t.actors['county-coordinator'].email);
    expect(smtp.received).toHaveLength(2);
    // The initiator sent it: no informational message to themselves; no one of another programme.
    expect(smtp.to(t.actors.initiator.email)).toHaveLength(0);
    expect(smtp.to(t.foreignCoordinator.actor.email)).toHaveLength(0);

    for (const { mail } of [toMailbox!, toCoordinator!]) {
      expect(mail.subject).toMatch(new RegExp(`^${diary}: `));
      expect(mail.from?.text).toContain('satsa@regionblekinge.se');
      expect(mail.text).toContain(`https://satsa.regionblekinge.se/cases/${id}`);
      expect(mail.html).toContain(`href="https://satsa.regionblekinge.se/cases/${id}"`);
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
      // The Message-ID is the outbox row's own, so a resend is recognisable.
      const row = outboxRows('message_id = ?', mail.messageId)[0]!;
      expect(row.status).toBe('sent');
      expect(row.kind).toBe('idea-submitted');
    }
    expect(toMailbox!.mail.headers.get('content-language')).toBe('sv');
    expect(toMailbox!.mail.html).toContain('<html lang="sv">');
    expect(toMailbox!.mail.text).toContain('Hej länsamordnarna!');
    expect(toCoordinator!.mail.headers.get('content-language')).toBe('en');
    expect(toCoordinator!.mail.html).toContain('<html lang="en">');
    expect(toCoordinator!.mail.text).toContain(`Hello ${t.actors['county-coordinator'].displayName}`);
    expect(toCoordinator!.mail.text).toContain('Mental health of children and young people');

    // Nothing is left to send, and a second drain sends nothing again.
    expect(await t.services.relay.drain()).toBe(0);
    expect(smtp.received).toHaveLength(2);
  });

  it('a booked dialogue forum carries an iCalendar invitation for each recipient', async () => {
    const id = await caseAt(5);
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], {
      type: 'BOOK_DIALOGUE_FORUM',
      payload: { date: '2026-03-10', startTime: '13:00', endTime: '15:30', place: 'Kvalitetscafé, Karlshamn', format: 'På plats' },
    });
    expect(res.statusCode, res.body).toBe(200);
    await t.services.relay.drain();

    const recipients = smtp.received.flatMap((r) => r.to).sort();
    expect(recipients).toEqual(
      [t.actors.initiator.email, t.actors['county-coordinator'].email, t.actors['local-coordinator'].email].sort(),
    );
    for (const received of smtp.received) {
      const { mail } = received;
      expect(mail.text).toMatch(/13:00–15:30/);
      expect(mail.text).toContain('Kvalitetscafé, Karlshamn');
      const invitation = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
      expect(invitation, 'a text/calendar part').toBeDefined();
      const calendar = new ICAL.Component(ICAL.parse(invitation!.content.toString('utf8')));
      expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
      const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!);
      // March 10 is in CET (UTC+1): 13:00 in Karlshamn is 12:00 UTC.
      expect(event.startDate.toJSDate().toISOString()).toBe('2026-03-10T12:00:00.000Z');
      expect(event.endDate.toJSDate().toISOString()).toBe('2026-03-10T14:30:00.000Z');
      expect(event.location).toBe('Kvalitetscafé, Karlshamn');
      expect(event.uid).toBe(`forum-${id}@regionblekinge.se`);
      expect(event.attendees.map((a) => String(a.getFirstValue()))).toEqual([`mailto:${received.to[0]}`]);
    }
  });

  it('a decision reaches the initiator and everyone taking part; the director who decided is not told', async () => {
    const caseId = await createCase(t, 'Beslut över HTTP');
    const add = await sendEvent(t, caseId, t.tokens.initiator, {
      type: 'ADD_PARTICIPANT',
      payload: { userId: t.otherInitiator.actor.id },
    });
    expect(add.statusCode, add.body).toBe(200);
    advance(t, caseId, storyUntilStep(10).slice(0, -1));
    await t.services.relay.drain();
    smtp.received.length = 0;

    const res = await sendEvent(t, caseId, t.tokens['regional-director'], storyStep('RECORD_DECISION'));
    expect(res.statusCode, res.body).toBe(200);
    await t.services.relay.drain();
    const to = smtp.received.flatMap((r) => r.to).sort();
    expect(to).toEqual([t.actors.initiator.email, t.actors['county-coordinator'].email, t.otherInitiator.actor.email].sort());
    const [initiatorMail] = smtp.to(t.actors.initiator.email);
    expect(initiatorMail!.mail.text).toContain('Beviljad');
    // 650 000 kr + 700 000 kr, written the Swedish way.
    expect(initiatorMail!.mail.text!.replace(/\s/g, ' ')).toContain('1 350 000,00 kr');
    expect(initiatorMail!.mail.text).toContain('2026-12-01, 2027-06-01, 2027-12-01');
  });

  it("LSVO's recommendation reaches the regional director with the protocol reference as recorded", async () => {
    const id = await caseAt(9, 'Rekommendation');
    const res = await sendEvent(t, id, t.tokens['lsvo-secretary'], storyStep('RECORD_RECOMMENDATION'));
    expect(res.statusCode, res.body).toBe(200);
    await t.services.relay.drain();
    expect(smtp.received.flatMap((r) => r.to)).toEqual([t.actors['regional-director'].email]);
    const { mail } = smtp.received[0]!;
    expect(mail.text).toContain('LSVO rekommenderar att satsningen genomförs.');
    expect(mail.text).toContain('§ 42');
    expect(mail.text).not.toContain('§ §');
    expect(mail.text).toContain('2026-05-20');
  });

  it('when the SMTP server goes away, messages wait and are all delivered once each when it is back', async () => {
    const ids = [await caseAt(4, 'Kö ett'), await caseAt(4, 'Kö två')];
    await t.services.relay.drain();
    smtp.received.length = 0;
    const port = smtp.port;
    await smtp.close();

    for (const id of ids) {
      const res = await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('PLACE_ON_AGENDA'));
      expect(res.statusCode, res.body).toBe(200); // the transition never waits for mail
    }
    const queued = outboxRows("status = 'pending'");
    expect(queued.length).toBeGreaterThanOrEqual(2);
    expect(await t.services.relay.drain()).toBe(0);
    expect(outboxRows("status = 'pending'")).toHaveLength(queued.length);
    for (const row of outboxRows("status = 'pending'")) {
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
      expect(new Date(row.next_attempt_at).getTime() - t.clock.now().getTime()).toBe(60_000);
    }
    // The administrator sees them waiting, with the reason.
    const listed = await t.app.inject({ method: 'GET', url: '/api/admin/outbox?status=pending', headers: auth(t.tokens.administrator) });
    expect(listed.statusCode).toBe(200);
    expect(json<{ items: { lastError: string }[] }>(listed).items).toHaveLength(queued.length);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/admin/outbox', headers: auth(t.tokens['county-coordinator']) })).statusCode,
    ).toBe(403);

    // A second failed round doubles the wait.
    t.clock.advance(60_000);
    await t.services.relay.drain();
    expect(outboxRows("status = 'pending'")).toHaveLength(queued.length);
    for (const row of outboxRows("status = 'pending'")) {
      expect(row.attempts).toBe(2);
      expect(new Date(row.next_attempt_at).getTime() - t.clock.now().getTime()).toBe(120_000);
    }

    smtp = await startSmtp(port, [REJECTED]);
    // Not yet due: nothing goes out early.
    expect(await t.services.relay.drain()).toBe(0);
    t.clock.advance(120_000);
    expect(await t.services.relay.drain()).toBe(queued.length);
    const messageIds = smtp.received.map((r) => r.mail.messageId);
    expect(new Set(messageIds).size).toBe(messageIds.length);
    expect(messageIds.sort()).toEqual(queued.map((q) => q.message_id).sort());
    expect(outboxRows("status = 'pending'")).toHaveLength(0);
    expect(await t.services.relay.drain()).toBe(0);
    expect(smtp.received).toHaveLength(queued.length);
  });

  it('parks a message as failed after the last attempt; an administrator can send it again', async () => {
    const port = smtp.port;
    await smtp.close();
    const id = await caseAt(4, 'Misslyckas');
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('PLACE_ON_AGENDA'));
    expect(res.statusCode).toBe(200);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await t.services.relay.drain();
      t.clock.advance(10 * 60_000);
    }
    const [failed] = outboxRows("status = 'failed' AND kind = 'placed-on-agenda'");
    expect(failed).toMatchObject({ attempts: 3 });
    expect(failed!.last_error).toMatch(/ECONNREFUSED|connect/i);
    const listed = await t.app.inject({ method: 'GET', url: '/api/admin/outbox?status=failed', headers: auth(t.tokens.administrator) });
    expect(json<{ items: { id: string }[] }>(listed).items.map((i) => i.id)).toContain(failed!.id);

    smtp = await startSmtp(port, [REJECTED]);
    const retry = await t.app.inject({
      method: 'POST',
      url: `/api/admin/outbox/${failed!.id}/retry`,
      headers: auth(t.tokens.administrator),
    });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(json(retry)).toMatchObject({ status: 'pending', attempts: 0 });
    await t.services.relay.drain();
    expect(outboxRows('id = ?', failed!.id)[0]!.status).toBe('sent');
    expect(smtp.received.map((r) => r.mail.messageId)).toContain(failed!.message_id);
    // A sent message cannot be "retried"; an unknown one is a 404.
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/admin/outbox/${failed!.id}/retry`,
      headers: auth(t.tokens.administrator),
    });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    const unknown = await t.app.inject({
      method: 'POST',
      url: `/api/admin/outbox/${crypto.randomUUID()}/retry`,
      headers: auth(t.tokens.administrator),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('an invalid address or an SMTP 550 fails that message at once, never the transition or the others', async () => {
    const sqlite = t.services.db.$client;
    const addBroken = (id: string, email: string) => {
      sqlite
        .prepare("INSERT INTO users (id, email, display_name, language, created_at) VALUES (?, ?, ?, 'sv', ?)")
        .run(id, email, `Broken ${id.slice(0, 4)}`, new Date().toISOString());
      sqlite.prepare("INSERT INTO memberships (user_id, programme_id, role) VALUES (?, 'uph-blekinge', 'coordination-group')").run(id);
    };
    const invalid = crypto.randomUUID();
    const refused = crypto.randomUUID();
    addBroken(invalid, 'not-an-address');
    addBroken(refused, REJECTED);
    try {
      const id = await caseAt(4, 'Dåliga adresser');
      const res = await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('PLACE_ON_AGENDA'));
      expect(res.statusCode, res.body).toBe(200);
      await t.services.relay.drain();
      const rows = outboxRows("kind = 'placed-on-agenda' AND case_id = ?", id);
      const byAddress = Object.fromEntries(rows.map((r) => [r.to_address, r]));
      expect(byAddress['not-an-address']).toMatchObject({ status: 'failed', attempts: 1, last_error: 'invalid recipient address' });
      expect(byAddress[REJECTED]).toMatchObject({ status: 'failed', attempts: 1 });
      expect(byAddress[REJECTED]!.last_error).toMatch(/550/);
      expect(byAddress[t.actors['coordination-group'].email]).toMatchObject({ status: 'sent' });
      expect(smtp.to(t.actors['coordination-group'].email)).toHaveLength(1);
    } finally {
      sqlite.prepare('DELETE FROM memberships WHERE user_id IN (?, ?)').run(invalid, refused);
    }
  });

  it('a message someone must act on goes to the mailbox when no user holds the role', async () => {
    const sqlite = t.services.db.$client;
    const lsvo = t.actors['lsvo-secretary'].id;
    sqlite.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(lsvo);
    try {
      const id = await caseAt(9, 'Ingen LSVO-sekreterare');
      // storyUntilStep(9) stops just before the recommendation: the proposal went to LSVO in it.
      const rows = outboxRows("kind = 'proposal-ready' AND case_id = ?", id);
      expect(rows.map((r) => r.to_address)).toEqual([MAILBOX]);
    } finally {
      sqlite.prepare('UPDATE users SET disabled = 0 WHERE id = ?').run(lsvo);
    }
  });

  it('a 5xx to the sender (a relay that is not allowed) is retried, not failed: fixing the server lets the queue through', async () => {
    const port = smtp.port;
    await smtp.close();
    smtp = await startSmtp(port, [REJECTED], { rejectSender: true });
    const id = await caseAt(4, 'Avvisad avsändare');
    await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('PLACE_ON_AGENDA'));
    await t.services.relay.drain();
    const [row] = outboxRows("kind = 'placed-on-agenda' AND case_id = ?", id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.last_error).toMatch(/553|sender/i);
    await smtp.close();
    smtp = await startSmtp(port, [REJECTED]);
    t.clock.advance(60_000);
    await t.services.relay.drain();
    expect(outboxRows('id = ?', row!.id)[0]!.status).toBe('sent');
  });

  it('an administrator can put every failed message back in line at once', async () => {
    const port = smtp.port;
    await smtp.close();
    const id = await caseAt(4, 'Alla igen');
    await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('PLACE_ON_AGENDA'));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await t.services.relay.drain();
      t.clock.advance(10 * 60_000);
    }
    const failed = outboxRows("status = 'failed' AND case_id = ?", id);
    expect(failed.length).toBeGreaterThan(0);
    smtp = await startSmtp(port, [REJECTED]);
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/outbox/retry-failed', headers: auth(t.tokens.administrator) });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<{ requeued: number }>(res).requeued).toBeGreaterThanOrEqual(failed.length);
    await t.services.relay.drain();
    for (const row of failed) expect(outboxRows('id = ?', row.id)[0]!.status).toBe('sent');
  });

  it('turning off one informational kind does not let another one about the same change through', async () => {
    const other = t.otherInitiator;
    const mute = (kinds: string[]) =>
      t.app.inject({ method: 'PATCH', url: '/api/me/preferences', headers: auth(other.token), payload: { mutedNotifications: kinds } });
    expect((await mute(['case-withdrawn'])).statusCode).toBe(200);
    try {
      const id = await createCase(t, 'Återtas');
      await sendEvent(t, id, t.tokens.initiator, { type: 'ADD_PARTICIPANT', payload: { userId: other.actor.id } });
      advance(t, id, storyUntilStep(4));
      await t.services.relay.drain();
      smtp.received.length = 0;
      const res = await sendEvent(t, id, t.tokens.initiator, { type: 'WITHDRAW', payload: { reason: 'Vi gör det på annat sätt.' } });
      expect(res.statusCode, res.body).toBe(200);
      await t.services.relay.drain();
      expect(smtp.to(other.actor.email)).toHaveLength(0);
      expect(smtp.to(t.actors['county-coordinator'].email).map((r) => r.mail.subject)).toHaveLength(1);
    } finally {
      await mute([]);
    }
  });

  it('a message resent after a crash between sending and recording it carries the same Message-ID', async () => {
    const id = await caseAt(4, 'Krasch');
    await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('PLACE_ON_AGENDA'));
    await t.services.relay.drain();
    const [row] = outboxRows("kind = 'placed-on-agenda' AND case_id = ? AND status = 'sent'", id);
    // The relay sent it, then died before marking it sent: it is still pending after restart.
    t.services.db.$client.prepare("UPDATE outbox SET status = 'pending', sent_at = NULL WHERE id = ?").run(row!.id);
    // Its claim keeps it from being sent twice while a send may still be under way…
    expect(await t.services.relay.drain()).toBe(0);
    // …and once the claim has run out, it goes again.
    t.clock.advance(5 * 60_000);
    await t.services.relay.drain();
    const copies = smtp.received.filter((r) => r.mail.messageId === row!.message_id);
    expect(copies).toHaveLength(2);
    expect(row!.message_id).toMatch(new RegExp(`^<satsa\\.case-${id}\\.v\\d+\\.placed-on-agenda\\.[0-9a-f-]+@regionblekinge\\.se>$`));
  });
});
