import crypto from 'node:crypto';
import type { Db } from '../db/client.js';
import { bodyTerms, inProgrammeWords, t, type Language } from '../i18n/index.js';
import { createOutboxWriter } from '../mail/outbox.js';
import type { PlanAssignment } from '../plans/document.js';
import { wordsOf } from '../programmes/config.js';
import type { PeopleService } from '../people/service.js';
import type { ProgrammeService } from '../programmes/service.js';
import { PLAN_MESSAGES, planMessageFor, type PlanAudience } from './plan-messages.js';
import { daysBetween, domainOf, type MailSettings } from './service.js';

/*
 * Turns a fired assignment timer into outbox rows, inside the scheduler's transaction, for
 * the relay to send after commit (as ./service.ts does for a case). The rows carry the
 * programme and no case; their Message-IDs come from the timer and the recipient, so a
 * timer fired twice could never send twice.
 */

interface Recipient {
  userId: string | null;
  address: string;
  name: string;
  language: Language;
}

export interface PlanMailDeps {
  programmes: Pick<ProgrammeService, 'get'>;
  people: Pick<PeopleService, 'withRole'>;
}

/** The due date as the plan said it ("hösten 2024"), else its days. */
export const dueLabelOf = (due: PlanAssignment['due']) => due.label ?? (due.from === due.to ? due.to : `${due.from}–${due.to}`);

export function createPlanMail(db: Db, deps: PlanMailDeps, settings: MailSettings, now: () => Date) {
  const domain = domainOf(settings.from);
  const writeMessage = createOutboxWriter(db);

  function audienceOf(audience: PlanAudience, programmeId: string): Recipient[] {
    const programme = deps.programmes.get(programmeId)!;
    if ('programme' in audience) {
      const name = inProgrammeWords(wordsOf(programme), () => t('sv', 'mail.mailboxName'));
      return [{ userId: null, address: programme.mailbox, name, language: 'sv' }];
    }
    return deps.people
      .withRole(programmeId, audience.role)
      .map((u) => ({ userId: u.id, address: u.email, name: u.displayName, language: u.language }));
  }

  return {
    /** Messages of a fired assignment timer. Call inside the scheduler's transaction. */
    forAssignmentTimer(input: { programmeId: string; timerId: string; kind: string; assignment: PlanAssignment }): number {
      const kind = planMessageFor(input.kind);
      if (!kind) return 0;
      const { programmeId, assignment } = input;
      const programme = deps.programmes.get(programmeId)!;
      const source = `timer-${input.timerId.replace(/[^a-zA-Z0-9-]/g, '.')}`;
      const today = now();
      const end = new Date(`${assignment.due.to}T00:00:00Z`);
      const at = today.toISOString();
      const reached = new Set<string>();
      let written = 0;
      for (const recipient of PLAN_MESSAGES[kind].to.flatMap((audience) => audienceOf(audience, programmeId))) {
        const key = recipient.address.toLowerCase();
        if (reached.has(key)) continue;
        reached.add(key);
        const lang = recipient.language;
        const data = {
          recipientName: recipient.name,
          programmeName: programme.name[lang],
          settingsUrl: `${settings.publicUrl}/settings`,
          planUrl: `${settings.publicUrl}/plan`,
          coordinators: bodyTerms(lang, programme.bodies).coordinators,
          assignmentTitle: assignment.title,
          responsible: assignment.responsible,
          dueLabel: dueLabelOf(assignment.due),
          dueDate: assignment.due.to,
          daysLeft: String(Math.max(0, daysBetween(today, end))),
          daysOverdue: String(Math.max(0, daysBetween(end, today))),
        };
        const recipientKey = recipient.userId ?? crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
        writeMessage({
          id: crypto.randomUUID(),
          messageId: `<satsa.${source}.${kind}.${recipientKey}@${domain}>`,
          programmeId,
          caseId: null,
          source,
          kind,
          language: lang,
          recipientUserId: recipient.userId,
          toAddress: recipient.address,
          data: JSON.stringify(data),
          at,
        });
        written += 1;
      }
      return written;
    },
  };
}

export type PlanMail = ReturnType<typeof createPlanMail>;
