import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';

/*
 * Where messages go. With SATSA_SMTP_HOST set, a pooled SMTP connection (nodemailer);
 * without it, the embedded default: each message becomes an .eml file under
 * <data dir>/mail, named after its Message-ID, so a resend overwrites rather than doubles.
 */

export interface OutgoingMail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  language: string;
  /** An iCalendar invitation: nodemailer adds it as a text/calendar part calendar clients act on. */
  icalEvent?: { method: string; filename: string; content: string };
}

export interface MailTransport {
  kind: 'smtp' | 'file';
  /** Sends one message; `signal` cuts a send short (it then rejects with an AbortError). */
  send(mail: OutgoingMail, signal?: AbortSignal): Promise<{ location: string }>;
  close(): void;
}

/**
 * A delivery error the server will not change its mind about for this message: a 5xx reply
 * to the recipient or to the message itself. A 5xx to the log-in, STARTTLS or the sender
 * (a wrong password, a relay not allowed) concerns every message and is retried, so that
 * fixing the configuration lets the queue through.
 */
export const isPermanent = (error: unknown) => {
  const { responseCode, command } = error as { responseCode?: number; command?: string };
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600 && /^(RCPT|DATA)/i.test(command ?? '');
};

const message = (mail: OutgoingMail) => ({
  messageId: mail.messageId,
  from: mail.from,
  to: mail.to,
  subject: mail.subject,
  text: mail.text,
  html: mail.html,
  headers: { 'Content-Language': mail.language, 'Auto-Submitted': 'auto-generated' },
  icalEvent: mail.icalEvent,
});

/** How long a TCP connection to the SMTP server, and then its greeting, may take. */
export const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
export const SMTP_GREETING_TIMEOUT_MS = 10_000;

export function smtpTransport(config: Config): MailTransport {
  const transporter = nodemailer.createTransport({
    host: config.SATSA_SMTP_HOST,
    port: config.SATSA_SMTP_PORT,
    secure: config.SATSA_SMTP_SECURE,
    // A password never travels in the clear: with a log-in, STARTTLS is required.
    requireTLS: config.SATSA_SMTP_REQUIRE_TLS || (config.SATSA_SMTP_USER !== undefined && !config.SATSA_SMTP_SECURE),
    auth: config.SATSA_SMTP_USER ? { user: config.SATSA_SMTP_USER, pass: config.SATSA_SMTP_PASSWORD ?? '' } : undefined,
    pool: true,
    maxConnections: 2,
    // A server that never answers ends a send within these; the relay's stop counts on it.
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: 30_000,
  });
  return {
    kind: 'smtp',
    async send(mail, signal) {
      const info = await transporter.sendMail({ ...message(mail), signal });
      return { location: `smtp ${info.response}` };
    },
    close: () => transporter.close(),
  };
}

/** The name of a message's file in the embedded mail store: its Message-ID, made safe for a file name. */
export const emlFileName = (messageId: string) => `${messageId.replace(/^<|>$/g, '').replace(/[^a-zA-Z0-9.@-]/g, '_')}.eml`;

export function fileTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(mail) {
      const info = await transporter.sendMail(message(mail));
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, emlFileName(mail.messageId));
      const temporary = `${file}.tmp`;
      fs.writeFileSync(temporary, info.message as Buffer);
      fs.renameSync(temporary, file);
      return { location: file };
    },
    close: () => transporter.close(),
  };
}

export const transportFor = (config: Config): MailTransport =>
  config.SATSA_SMTP_HOST ? smtpTransport(config) : fileTransport(config.mailDir);
