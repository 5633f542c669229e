import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { storyUntilStep } from '../../src/demo/story.js';
import { createRelay } from '../../src/mail/relay.js';
import { createRenderer } from '../../src/mail/render.js';
import { transportFor } from '../../src/mail/transport.js';
import { messageKind } from '../../src/notifications/rules.js';
import { advance, createCase, createTestApp, type TestApp } from '../helpers.js';
import { startSmtp, type TestSmtp } from '../smtp.js';

/*
 * The mail relay when the server shuts down, against real SMTP servers on 127.0.0.1: it
 * stops after the message in flight, gives back the messages it had claimed but not started,
 * and a relay started again sends every message exactly once.
 */

type OutboxRow = { id: string; message_id: string; status: string; attempts: number; next_attempt_at: string; last_error: string | null };

/** An SMTP server that takes connections and never says a word, not even its greeting. */
async function startSilentSmtp() {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => sockets.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const smtpEnv = (port: number) => ({ SATSA_SMTP_HOST: '127.0.0.1', SATSA_SMTP_PORT: String(port) });

async function until(condition: () => boolean, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the mail relay on shutdown', () => {
  let t: TestApp;
  let silent: Awaited<ReturnType<typeof startSilentSmtp>>;
  let working: TestSmtp;

  beforeAll(async () => {
    silent = await startSilentSmtp();
    working = await startSmtp();
    t = await createTestApp({ env: smtpEnv(silent.port) });
  });

  afterAll(async () => {
    await t.close();
    await silent.close();
    await working.close();
  });

  const rows = () => t.services.db.$client.prepare('SELECT * FROM outbox ORDER BY next_attempt_at, id').all() as OutboxRow[];

  /** The relay of a server started again on the same database, sending to the working SMTP server. */
  async function restarted() {
    const config = loadConfig({ SATSA_DATA_DIR: t.dir, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false', ...smtpEnv(working.port) });
    return buildApp({ config, db: t.services.db, now: t.clock.now, background: false });
  }

  it('against a server that never answers: stops after the message in flight, the others are due at once, each is sent once after a restart', async () => {
    for (const title of ['Ett', 'Två', 'Tre']) advance(t, await createCase(t, title), storyUntilStep(4));
    const before = rows();
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(before.every((r) => r.status === 'pending' && r.attempts === 0)).toBe(true);

    t.services.relay.start(60_000);
    await until(() => silent.connections() > 0, 'the first message is under way');
    const started = performance.now();
    const outcome = await Promise.race([
      t.services.relay.stop().then(() => 'stopped'),
      new Promise((r) => setTimeout(() => r('still sending'), 30_000)),
    ]);
    const stopMs = performance.now() - started;
    expect(outcome).toBe('stopped');
    // The message in flight is bounded by the SMTP greeting timeout (10 s), far below this.
    expect(stopMs).toBeLessThan(25_000);
    expect(silent.connections()).toBe(1);

    const now = t.clock.now().getTime();
    const after = rows();
    const tried = after.filter((r) => r.attempts > 0);
    // The one in flight failed by the server's silence, before anything was sent: it waits its backoff.
    expect(tried).toHaveLength(1);
    expect(tried[0]!.status).toBe('pending');
    expect(tried[0]!.last_error).toMatch(/greeting/i);
    expect(new Date(tried[0]!.next_attempt_at).getTime()).toBe(now + 60_000);
    // The ones not started are given back as they were: pending and due now, not claimed ahead.
    const untouched = after.filter((r) => r.attempts === 0);
    expect(untouched).toHaveLength(before.length - 1);
    for (const row of untouched) {
      expect(row.status).toBe('pending');
      expect(row.last_error).toBeNull();
      expect(new Date(row.next_attempt_at).getTime()).toBeLessThanOrEqual(now);
      expect(row.next_attempt_at).toBe(before.find((b) => b.id === row.id)!.next_attempt_at);
    }

    // Started again against a working server: the ones not started go at once, the tried one after its backoff.
    const again = await restarted();
    expect(await again.services.relay.drain()).toBe(before.length - 1);
    t.clock.advance(60_000);
    expect(await again.services.relay.drain()).toBe(1);
    t.clock.advance(10 * 60_000);
    expect(await again.services.relay.drain()).toBe(0);
    await again.app.close();

    const received = working.received.map((r) => r.mail.messageId).sort();
    expect(received).toEqual(before.map((r) => r.message_id).sort());
    expect(rows().every((r) => r.status === 'sent')).toBe(true);
  }, 60_000);

  it('a send cut short after the grace stays claimed for a whole claim window, since the server may have it', async () => {
    const hanging = await startSmtp(0, [], { neverAnswerData: true });
    const config = loadConfig({ SATSA_DATA_DIR: t.dir, SATSA_DEMO_DATA: 'false', ...smtpEnv(hanging.port) });
    const relay = createRelay(t.services.db, transportFor(config), createRenderer(messageKind), t.clock.now, {
      from: config.SATSA_MAIL_FROM,
      maxAttempts: 8,
      retryBaseMs: 60_000,
      kinds: messageKind,
      stopGraceMs: 300,
    });
    try {
      for (const title of ['Fyra', 'Fem']) advance(t, await createCase(t, title), storyUntilStep(4));
      const before = rows().filter((r) => r.status === 'pending');
      expect(before.length).toBeGreaterThanOrEqual(3);

      relay.start(60_000);
      // The whole message has reached the server, which never says whether it took it.
      await until(() => hanging.received.length === 1, 'the first message was handed over');
      const outcome = await Promise.race([
        relay.stop().then(() => 'stopped'),
        new Promise((r) => setTimeout(() => r('still sending'), 10_000)),
      ]);
      expect(outcome).toBe('stopped'); // the grace is 0.3 s; the SMTP socket timeout 30 s
      expect(hanging.received).toHaveLength(1);

      const now = t.clock.now().getTime();
      const after = rows().filter((r) => before.some((b) => b.id === r.id));
      const cut = after.find((r) => r.message_id === hanging.received[0]!.mail.messageId)!;
      expect(cut.status).toBe('pending');
      expect(cut.attempts).toBe(0);
      expect(cut.last_error).toMatch(/cut short by a shutdown/);
      expect(new Date(cut.next_attempt_at).getTime()).toBe(now + 5 * 60_000);
      for (const row of after.filter((r) => r.id !== cut.id)) {
        expect(row.status).toBe('pending');
        expect(row.next_attempt_at).toBe(before.find((b) => b.id === row.id)!.next_attempt_at);
        expect(new Date(row.next_attempt_at).getTime()).toBeLessThanOrEqual(now);
      }

      working.received.length = 0;
      const again = await restarted();
      expect(await again.services.relay.drain()).toBe(before.length - 1);
      // Not again while the server may still be taking it in…
      t.clock.advance(4 * 60_000);
      expect(await again.services.relay.drain()).toBe(0);
      // …then once, with the same Message-ID.
      t.clock.advance(60_000);
      expect(await again.services.relay.drain()).toBe(1);
      await again.app.close();
      const received = working.received.map((r) => r.mail.messageId).sort();
      expect(received).toEqual(before.map((r) => r.message_id).sort());
    } finally {
      await hanging.close();
      await relay.stop();
    }
  }, 60_000);
});
