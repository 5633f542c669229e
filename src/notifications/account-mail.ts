import crypto from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Language } from '../i18n/index.js';
import { formatter, PROGRAMME_TIME_ZONE } from '../mail/calendar.js';
import { createOutboxWriter } from '../mail/outbox.js';
import type { ProgrammeService } from '../programmes/service.js';
import type { AccountMessageKind } from './account-messages.js';
import { domainOf, type MailSettings } from './service.js';

/*
 * E-mail about a person's account rather than a case: an invitation, a registration to
 * confirm, a password reset. Written to the same outbox as the case messages, in the
 * transaction that made the link, and sent by the same relay. Their text carries the link,
 * never a password.
 */

/** An instant as a person reads it: their language, Swedish time. */
const localTime = (iso: string, lang: Language) =>
  formatter(
    `account-mail-${lang}`,
    () =>
      new Intl.DateTimeFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: PROGRAMME_TIME_ZONE }),
  ).format(new Date(iso));

export interface AccountRecipient {
  address: string;
  name: string;
  language: Language;
  userId?: string | null;
}

export function createAccountMail(db: Db, programmes: Pick<ProgrammeService, 'get'>, settings: MailSettings, now: () => Date) {
  const domain = domainOf(settings.from);
  const writeMessage = createOutboxWriter(db);

  return {
    /** The public address of a page, for links in the messages. */
    url: (path: string) => `${settings.publicUrl}${path}`,

    /** Writes one account message to the outbox. Call inside the transaction of what caused it. */
    send(kind: AccountMessageKind, to: AccountRecipient, programmeId: string, data: Record<string, unknown>) {
      const programme = programmes.get(programmeId)!;
      const id = crypto.randomUUID();
      writeMessage({
        id,
        messageId: `<satsa.account-${id}.${kind}@${domain}>`,
        programmeId,
        caseId: null,
        source: `account-${id}`,
        kind,
        language: to.language,
        recipientUserId: to.userId ?? null,
        toAddress: to.address,
        data: JSON.stringify({
          recipientName: to.name,
          programmeName: programme.name[to.language],
          settingsUrl: `${settings.publicUrl}/settings`,
          ...data,
          ...(typeof data.expiresAt === 'string' ? { expiresAt: localTime(data.expiresAt, to.language) } : {}),
        }),
        at: now().toISOString(),
      });
    },
  };
}

export type AccountMail = ReturnType<typeof createAccountMail>;
