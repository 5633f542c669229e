import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
  mail: ParsedMail;
}

/**
 * A real SMTP server on 127.0.0.1 for the tests: it keeps every message it accepts,
 * refuses recipients on `rejected` with a permanent 550 and, with `rejectSender`, every
 * sender with a 553 (as a server does that will not relay for us). With `neverAnswerData` it
 * reads each message and keeps it, but never answers it (as a server that hangs after DATA).
 */
export async function startSmtp(port = 0, rejected: string[] = [], options: { rejectSender?: boolean; neverAnswerData?: boolean } = {}) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 50,
    onMailFrom(_address, _session, callback) {
      if (options.rejectSender) {
        callback(Object.assign(new Error('sender address rejected: relaying not allowed'), { responseCode: 553 }));
        return;
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (rejected.includes(address.address)) {
        const error = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: raw.toString('utf8'), mail });
            if (!options.neverAnswerData) callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.server.address() as AddressInfo).port;
  return {
    port: actual,
    received,
    /** Messages addressed to `address`. */
    to: (address: string) => received.filter((r) => r.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestSmtp = Awaited<ReturnType<typeof startSmtp>>;
