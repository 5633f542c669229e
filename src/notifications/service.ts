import crypto from 'node:crypto';
import type { CaseContext } from '../../machines/case/context.js';
import { STEP_COUNT } from '../../machines/case/catalogue.js';
import type { Db } from '../db/client.js';
import type { cases } from '../db/schema.js';
import { bodyTerms, inProgrammeWords, t, type Language } from '../i18n/index.js';
import { calendarInvitation, localDate } from '../mail/calendar.js';
import { createOutboxWriter } from '../mail/outbox.js';
import { formatOre } from '../money/format.js';
import { allAreas, wordsOf } from '../programmes/config.js';
import type { Person, PeopleService } from '../people/service.js';
import type { ProgrammeService } from '../programmes/service.js';
import { ruleFor, rulesForEvent, rulesForTimer, type Audience, type NotificationRule, type TimerKind } from './rules.js';

/*
 * Turns what happened to a case into outbox rows, inside the transaction of the change.
 * Nothing here sends or renders: the relay does that after commit, so a broken template,
 * a bad address or a dead SMTP server can never undo the change that caused a message.
 */

type CaseRow = typeof cases.$inferSelect;

interface Recipient {
  userId: string | null;
  address: string;
  name: string;
  language: Language;
  muted: string[];
}

export interface MailSettings {
  publicUrl: string;
  /** The From header, e.g. "Satsa <satsa@region.se>"; its domain also names the Message-IDs. */
  from: string;
}

/** `a@b.se`, `Name <a@b.se>` → `b.se`. */
export function domainOf(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.split('@')[1]?.trim().toLowerCase() || 'satsa.invalid';
}

const DAY = 86_400_000;
export const daysBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / DAY);

/** The step a snapshot stands at for messages: the lowest active one, or where it closed. */
export interface StepInfo {
  step: number;
  outcome?: string;
}

export interface NotificationDeps {
  programmes: Pick<ProgrammeService, 'get'>;
  people: Pick<PeopleService, 'withRole' | 'activeUser' | 'displayName'>;
  /** The users who take part in a case besides its initiator. */
  participantsOf: (caseId: string) => string[];
}

export function createNotifications(db: Db, deps: NotificationDeps, settings: MailSettings, now: () => Date) {
  const { programmes } = deps;
  const domain = domainOf(settings.from);
  const caseUrl = (row: CaseRow) => `${settings.publicUrl}/cases/${row.id}`;

  const toRecipient = (u: Person): Recipient => ({
    userId: u.id,
    address: u.email,
    name: u.displayName,
    language: u.language,
    muted: u.mutedNotifications,
  });

  // Asked for every message: built and prepared once.
  const writeMessage = createOutboxWriter(db);

  function audienceOf(audience: Audience, row: CaseRow): Recipient[] {
    if ('programme' in audience) {
      const programme = programmes.get(row.programmeId)!;
      return [
        {
          userId: null,
          address: programme.mailbox,
          name: inProgrammeWords(wordsOf(programme), () => t('sv', 'mail.mailboxName')),
          language: 'sv',
          muted: [],
        },
      ];
    }
    if ('role' in audience) {
      return deps.people.withRole(row.programmeId, audience.role).map(toRecipient);
    }
    // The followers are the conversation's to say (forComment is given them).
    if (audience.case === 'followers') return [];
    const ids = audience.case === 'initiator' ? [row.initiatorId] : deps.participantsOf(row.id);
    return [...new Set(ids)].flatMap((id) => {
      const user = deps.people.activeUser(id);
      return user ? [toRecipient(user)] : [];
    });
  }

  function commonVariables(row: CaseRow, recipient: Recipient, at: StepInfo) {
    const programme = programmes.get(row.programmeId)!;
    return {
      recipientName: recipient.name,
      programmeName: programme.name[recipient.language],
      diaryNumber: row.diaryNumber,
      caseTitle: row.title,
      caseUrl: caseUrl(row),
      settingsUrl: `${settings.publicUrl}/settings`,
      stepNumber: String(at.step),
      stepCount: String(STEP_COUNT),
      stepName: t(recipient.language, `steps.${at.step}`),
      ...bodyTerms(recipient.language, programme.bodies),
    };
  }

  interface Message {
    rule: NotificationRule;
    source: string;
    row: CaseRow;
    at: StepInfo;
    /** Kind-specific variables for a recipient's language. */
    variables: (lang: Language, recipient: Recipient) => Record<string, unknown>;
  }

  /**
   * Writes one outbox row per rule and recipient. A recipient gets one message per cause:
   * the first rule that reaches them wins (the informational step change comes last).
   */
  function enqueue(messages: Message[], actorId: string | null, to?: Recipient[]): number {
    const reached = new Set<string>();
    let written = 0;
    const at = now().toISOString();
    for (const message of messages) {
      const { rule, row } = message;
      let recipients = to ?? rule.to.flatMap((audience) => audienceOf(audience, row));
      // A message someone must act on never vanishes for want of a user with the role:
      // it goes to the programme's mailbox instead.
      if (recipients.length === 0 && rule.mandatory) recipients = audienceOf({ programme: 'mailbox' }, row);
      for (const recipient of recipients) {
        const key = recipient.address.toLowerCase();
        if (reached.has(key)) continue;
        if (!rule.mandatory && recipient.userId === actorId) continue;
        reached.add(key);
        // Turned off: no message, and no other informational one about the same change.
        if (!rule.mandatory && recipient.muted.includes(rule.kind)) continue;
        const data = inProgrammeWords(wordsOf(programmes.get(row.programmeId)!), () => ({
          ...commonVariables(row, recipient, message.at),
          ...message.variables(recipient.language, recipient),
        }));
        const recipientKey = recipient.userId ?? crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
        writeMessage({
          id: crypto.randomUUID(),
          messageId: `<satsa.${message.source}.${rule.kind}.${recipientKey}@${domain}>`,
          programmeId: row.programmeId,
          caseId: row.id,
          source: message.source,
          kind: rule.kind,
          language: recipient.language,
          recipientUserId: recipient.userId,
          toAddress: recipient.address,
          data: JSON.stringify(data),
          at,
        });
        written += 1;
      }
    }
    return written;
  }

  return {
    /** Messages caused by an accepted event. Call inside the engine's transaction. */
    forEvent(input: {
      row: CaseRow;
      version: number;
      type: string;
      payload: unknown;
      actorId: string;
      context: CaseContext;
      before: StepInfo & { steps: string };
      after: StepInfo & { steps: string };
    }): number {
      const stepChanged = input.before.steps !== input.after.steps || (!input.before.outcome && !!input.after.outcome);
      const rules = rulesForEvent(input.type, input.payload, stepChanged);
      if (rules.length === 0) return 0;
      const source = `case-${input.row.id}.v${input.version}`;
      let initiatorName: string | undefined;
      const withName = {
        ...input,
        initiatorName: () => (initiatorName ??= deps.people.displayName(input.row.initiatorId) ?? ''),
      };
      return enqueue(
        rules.map((rule) => ({
          rule,
          source,
          row: input.row,
          at: input.after,
          variables: (lang, recipient) => eventVariables(rule.kind, lang, recipient, withName),
        })),
        input.actorId,
      );
    },

    /**
     * The message about a new comment on a case (kind `comment-added`), to each of `recipients`
     * (user ids) but its author: the case, the author's role word and a link to the conversation,
     * never the comment's text. Informational: a person who turned it off gets nothing. Call
     * inside the transaction that added the comment.
     */
    forComment(input: {
      row: CaseRow;
      version: number;
      authorId: string;
      /** The word for the author's role, in a recipient's language. */
      authorRole: (lang: Language) => string;
      recipients: string[];
    }): number {
      const rule = ruleFor('comment-added')!;
      const steps = input.row.steps.split(',').filter(Boolean).map(Number);
      const at: StepInfo = { step: steps.length ? Math.min(...steps) : STEP_COUNT, outcome: input.row.outcome ?? undefined };
      const people = [...new Set(input.recipients)].flatMap((id) => {
        const user = deps.people.activeUser(id);
        return user ? [toRecipient(user)] : [];
      });
      return enqueue(
        [
          {
            rule,
            source: `case-${input.row.id}.v${input.version}`,
            row: input.row,
            at,
            variables: (lang) => ({ authorRole: input.authorRole(lang) }),
          },
        ],
        input.authorId,
        people,
      );
    },

    /** Messages of a fired timer. Call inside the scheduler's transaction. */
    forTimer(input: {
      row: CaseRow;
      timerId: string;
      kind: TimerKind;
      data: Record<string, string>;
      at: StepInfo;
      context: CaseContext;
    }): number {
      const source = `timer-${input.timerId.replace(/[^a-zA-Z0-9-]/g, '.')}`;
      // The same for every recipient and language: computed once.
      const variables = timerVariables(input.data, input.context);
      return enqueue(
        rulesForTimer(input.kind).map((rule) => ({
          rule,
          source,
          row: input.row,
          at: input.at,
          variables: () => variables,
        })),
        null,
      );
    },
  };

  function timerVariables(data: Record<string, string>, context: CaseContext): Record<string, unknown> {
    const today = now();
    const since = data.submittedAt ?? context.ideaTemplate?.at;
    const date = data.followUpDate;
    return {
      submittedDate: since ? localDate(since) : '',
      daysWaiting: since ? String(daysBetween(new Date(since), today)) : '',
      followUpDate: date ?? '',
      daysLeft: date ? String(Math.max(0, daysBetween(today, new Date(`${date}T00:00:00Z`)))) : '',
      daysOverdue: date ? String(Math.max(0, daysBetween(new Date(`${date}T00:00:00Z`), today))) : '',
    };
  }

  function eventVariables(
    kind: string,
    lang: Language,
    recipient: Recipient,
    input: {
      row: CaseRow;
      version: number;
      type: string;
      payload: unknown;
      context: CaseContext;
      before: StepInfo;
      initiatorName: () => string;
    },
  ): Record<string, unknown> {
    const p = (input.payload ?? {}) as Record<string, unknown>;
    const ctx = input.context;
    const programme = programmes.get(input.row.programmeId)!;
    switch (kind) {
      case 'idea-submitted': {
        const area = allAreas(programme).find((a) => a.id === ctx.eligibility?.priorityAreaId);
        return {
          initiatorName: input.initiatorName(),
          priorityArea: area ? area.label[lang] : '',
          submittedDate: ctx.ideaTemplate ? localDate(ctx.ideaTemplate.at) : '',
        };
      }
      case 'idea-sent':
        return { initiatorName: input.initiatorName(), message: p.message ?? '', sentDate: ctx.contact ? localDate(ctx.contact.at) : '' };
      case 'follow-up-report-submitted':
        return {
          initiatorName: input.initiatorName(),
          followUpDate: p.followUpDate ?? '',
          spentToDate: typeof p.spentToDateOre === 'number' ? formatOre(p.spentToDateOre, lang) : '',
        };
      case 'follow-up-reviewed':
        return {
          conclusion: t(lang, `v4.conclusion.${p.conclusion as string}`),
          narrative: p.narrative ?? '',
          adjustment: p.adjustment ?? '',
        };
      case 'placed-on-agenda':
        return { meetingDate: p.meetingDate };
      case 'forum-booked': {
        const time = p.startTime ? `${p.startTime as string}${p.endTime ? `–${p.endTime as string}` : ''}` : '';
        const vars = { title: input.row.title, diaryNumber: input.row.diaryNumber, url: caseUrl(input.row) };
        return {
          forumDate: p.date,
          forumTime: time,
          forumPlace: p.place,
          forumFormat: p.format ?? '',
          calendar: calendarInvitation({
            uid: `forum-${input.row.id}@${domain}`,
            sequence: input.version,
            stamp: now(),
            date: p.date as string,
            startTime: p.startTime as string | undefined,
            endTime: p.endTime as string | undefined,
            summary: t(lang, 'mail.calendar.summary', vars),
            location: p.place as string,
            description: t(lang, 'mail.calendar.description', vars),
            organizer: { name: programme.name[lang], email: programme.mailbox },
            attendee: { name: recipient.name, email: recipient.address },
          }),
        };
      }
      case 'recommendation-recorded': {
        const protocol = (p.protocol ?? {}) as Record<string, string>;
        return {
          recommendation: t(lang, `mail.recommendation.${p.recommendation as string}`),
          motivation: p.motivation ?? '',
          protocolMeetingDate: protocol.meetingDate ?? '',
          protocolParagraph: protocol.paragraph ?? '',
          scaleUp: input.type === 'RECORD_SCALE_UP_RECOMMENDATION',
        };
      }
      case 'returned-for-revision':
        return {
          returnedBy: t(lang, `mail.returnedBy.${input.type === 'RECORD_DECISION' ? 'decision' : 'recommendation'}`),
          motivation: p.motivation ?? '',
        };
      case 'decision-recorded': {
        const granted = ((p.grantedBudget ?? []) as { amountOre: number }[]).reduce((sum, line) => sum + line.amountOre, 0);
        return {
          decision: t(lang, `mail.decision.${p.decision as string}`),
          approved: p.decision === 'approve',
          motivation: p.motivation ?? '',
          grantedTotal: granted > 0 ? formatOre(granted, lang) : '',
          followUpDates: ((p.followUpDates ?? []) as string[]).join(', '),
        };
      }
      case 'not-eligible':
      case 'case-withdrawn':
        return { reason: p.reason ?? '' };
      case 'scale-up-decision':
        return { decision: t(lang, `mail.scaleUpDecision.${p.decision as string}`), motivation: p.motivation ?? '' };
      case 'step-changed': {
        const outcome = ctx.outcome?.kind;
        return {
          previousStepNumber: String(input.before.step),
          previousStepName: t(lang, `steps.${input.before.step}`),
          outcome: outcome ? t(lang, `outcomes.${outcome}`) : '',
        };
      }
      default:
        return {};
    }
  }
}

export type Notifications = ReturnType<typeof createNotifications>;
