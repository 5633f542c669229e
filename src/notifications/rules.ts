import type { TimerKind } from '../../machines/case/deadlines.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import type { MessageKinds } from '../mail/render.js';
import { BODY_KEYS } from '../i18n/index.js';
import { ACCOUNT_COMMON_VARIABLES, ACCOUNT_MESSAGES, type AccountMessageKind } from './account-messages.js';
import { PLAN_COMMON_VARIABLES, PLAN_MESSAGES, type PlanMessageKind } from './plan-messages.js';

/*
 * Who is told what: the one table of notification rules. The engine reads it for every
 * accepted event and every fired timer; GET /api/notifications/rules serves it as it is.
 */

/** The kinds of durable timer, declared with the case's deadlines. */
export { TIMER_KINDS, type TimerKind } from '../../machines/case/deadlines.js';

/** Who receives a message: users with a programme role, the case's own people, or the mailbox. */
export type Audience =
  | { role: Role }
  | { case: 'initiator' }
  | { case: 'participants' }
  /** Those who follow the case (its people, staff who acted on it, anyone who chose to): see src/conversation/service.ts. */
  | { case: 'followers' }
  | { programme: 'mailbox' };

export type Trigger =
  /** An accepted event, optionally only for some payload values. */
  | { event: CaseEventType; where?: Record<string, readonly string[]> }
  /** A durable timer that fired. */
  | { timer: TimerKind }
  /** Any event after which the case stands at other steps, or has closed. */
  | { stepChange: true }
  /** A new comment in the case's conversation (written by src/conversation/service.ts, not by an event of the chart). */
  | { comment: true };

export interface NotificationRule {
  kind: string;
  on: readonly Trigger[];
  to: readonly Audience[];
  /** Requires the recipient to act (or is a formal notice): cannot be turned off. */
  mandatory: boolean;
  /** Attach an iCalendar invitation (text/calendar; method=REQUEST). */
  calendar?: boolean;
  /** Template variables besides the common ones (see COMMON_VARIABLES). */
  variables: readonly string[];
}

/** Variables every message has; the templates may use any of them. */
export const COMMON_VARIABLES = [
  'recipientName',
  'programmeName',
  'diaryNumber',
  'caseTitle',
  'caseUrl',
  'settingsUrl',
  'stepNumber',
  'stepCount',
  'stepName',
  // The programme's names of its bodies: {{decider}}, {{deciderGen}}, {{Decider}}, {{DeciderGen}} and so on.
  ...BODY_KEYS.flatMap((k) => {
    const upper = k.charAt(0).toUpperCase() + k.slice(1);
    return [k, `${k}Gen`, upper, `${upper}Gen`];
  }),
];

const initiator = { case: 'initiator' } as const;
const participants = { case: 'participants' } as const;
const mailbox = { programme: 'mailbox' } as const;
const role = (r: Role) => ({ role: r }) as const;

export const NOTIFICATION_RULES = [
  {
    // The initiator sends the idea (from machine version 4, when it is raised): the coordinators are told.
    kind: 'idea-sent',
    on: [{ event: 'CONTACT_COORDINATORS' }],
    to: [role('county-coordinator')],
    mandatory: true,
    variables: ['initiatorName', 'message', 'sentDate'],
  },
  {
    kind: 'idea-submitted',
    on: [{ event: 'SUBMIT_IDEA_TEMPLATE' }],
    to: [mailbox, role('county-coordinator')],
    mandatory: true,
    variables: ['initiatorName', 'priorityArea', 'submittedDate'],
  },
  {
    kind: 'idea-unanswered',
    on: [{ timer: 'idea-unanswered' }],
    to: [mailbox, role('county-coordinator')],
    mandatory: true,
    variables: ['submittedDate', 'daysWaiting'],
  },
  {
    kind: 'placed-on-agenda',
    on: [{ event: 'PLACE_ON_AGENDA' }],
    to: [role('coordination-group')],
    mandatory: true,
    variables: ['meetingDate'],
  },
  {
    kind: 'forum-booked',
    on: [{ event: 'BOOK_DIALOGUE_FORUM' }],
    to: [initiator, participants, role('county-coordinator'), role('local-coordinator')],
    mandatory: true,
    calendar: true,
    variables: ['forumDate', 'forumTime', 'forumPlace', 'forumFormat'],
  },
  {
    kind: 'proposal-ready',
    on: [{ event: 'SUBMIT_TO_LSVO' }],
    to: [role('lsvo-secretary')],
    mandatory: true,
    variables: [],
  },
  {
    kind: 'recommendation-recorded',
    on: [{ event: 'RECORD_RECOMMENDATION', where: { recommendation: ['approve', 'reject'] } }, { event: 'RECORD_SCALE_UP_RECOMMENDATION' }],
    to: [role('regional-director')],
    mandatory: true,
    variables: ['recommendation', 'motivation', 'protocolMeetingDate', 'protocolParagraph', 'scaleUp'],
  },
  {
    kind: 'returned-for-revision',
    on: [
      { event: 'RECORD_RECOMMENDATION', where: { recommendation: ['revise'] } },
      { event: 'RECORD_DECISION', where: { decision: ['revise'] } },
    ],
    to: [initiator, participants, role('county-coordinator')],
    mandatory: true,
    variables: ['returnedBy', 'motivation'],
  },
  {
    kind: 'decision-recorded',
    on: [{ event: 'RECORD_DECISION', where: { decision: ['approve', 'reject'] } }],
    to: [initiator, participants, role('county-coordinator')],
    mandatory: true,
    variables: ['decision', 'approved', 'motivation', 'grantedTotal', 'followUpDates'],
  },
  {
    kind: 'not-eligible',
    on: [{ event: 'ASSESS_NOT_ELIGIBLE' }],
    to: [initiator, participants],
    mandatory: true,
    variables: ['reason'],
  },
  {
    kind: 'case-withdrawn',
    on: [{ event: 'WITHDRAW' }],
    to: [participants, role('county-coordinator')],
    mandatory: false,
    variables: ['reason'],
  },
  {
    kind: 'follow-up-due',
    on: [{ timer: 'follow-up-reminder' }],
    to: [initiator, participants, role('steering-group')],
    mandatory: true,
    variables: ['followUpDate', 'daysLeft'],
  },
  {
    kind: 'follow-up-overdue',
    on: [{ timer: 'follow-up-overdue' }],
    to: [role('county-coordinator'), role('steering-group'), initiator],
    mandatory: true,
    variables: ['followUpDate', 'daysOverdue'],
  },
  {
    // Machine version 4: the initiator's report waits for the steering group's review.
    kind: 'follow-up-report-submitted',
    on: [{ event: 'SUBMIT_FOLLOW_UP_REPORT' }],
    to: [role('steering-group')],
    mandatory: true,
    variables: ['initiatorName', 'followUpDate', 'spentToDate'],
  },
  {
    // The steering group's follow-up (from version 4, its review of the initiator's report).
    kind: 'follow-up-reviewed',
    on: [{ event: 'RECORD_FOLLOW_UP' }],
    to: [initiator, participants],
    mandatory: true,
    variables: ['conclusion', 'narrative', 'adjustment'],
  },
  {
    kind: 'scale-up-decision',
    on: [{ event: 'RECORD_SCALE_UP_DECISION' }],
    to: [initiator, participants, role('county-coordinator'), role('steering-group')],
    mandatory: true,
    variables: ['decision', 'motivation'],
  },
  {
    // Not an event of the chart: the conversation (src/conversation/service.ts) writes it to the
    // case's followers (for an internal comment, those of the programme's staff), never its text.
    kind: 'comment-added',
    on: [{ comment: true }],
    to: [{ case: 'followers' }],
    mandatory: false,
    variables: ['authorRole'],
  },
  {
    // Last: a recipient who already gets a message about the same change gets only that one.
    kind: 'step-changed',
    on: [{ stepChange: true }],
    to: [initiator, participants],
    mandatory: false,
    variables: ['previousStepNumber', 'previousStepName', 'outcome'],
  },
] as const satisfies readonly NotificationRule[];

export type NotificationKind = (typeof NOTIFICATION_RULES)[number]['kind'];
export const NOTIFICATION_KINDS = NOTIFICATION_RULES.map((r) => r.kind) as NotificationKind[];
export const OPTIONAL_KINDS = NOTIFICATION_RULES.filter((r) => !r.mandatory).map((r) => r.kind) as NotificationKind[];

export const ruleFor = (kind: string): NotificationRule | undefined =>
  (NOTIFICATION_RULES as readonly NotificationRule[]).find((r) => r.kind === kind);

/** Every variable a message of this kind carries. */
export const variablesOf = (kind: string): string[] => [...COMMON_VARIABLES, ...(ruleFor(kind)?.variables ?? [])];

/** What the mail relay and renderer need to know of a kind of message: a case's, an account's, or a plan's (./plan-messages.ts). */
export const messageKind: MessageKinds = (kind) => {
  const rule = ruleFor(kind);
  if (rule) return { mandatory: rule.mandatory, calendar: rule.calendar, variables: variablesOf(kind) };
  if (kind in ACCOUNT_MESSAGES) {
    return { mandatory: true, variables: [...ACCOUNT_COMMON_VARIABLES, ...ACCOUNT_MESSAGES[kind as AccountMessageKind]] };
  }
  if (kind in PLAN_MESSAGES) {
    return { mandatory: true, variables: [...PLAN_COMMON_VARIABLES, ...PLAN_MESSAGES[kind as PlanMessageKind].variables] };
  }
  return undefined;
};

export function rulesForEvent(type: string, payload: unknown, stepChanged: boolean): NotificationRule[] {
  const fields = (payload ?? {}) as Record<string, unknown>;
  return (NOTIFICATION_RULES as readonly NotificationRule[]).filter((rule) =>
    rule.on.some((trigger) => {
      if ('stepChange' in trigger) return stepChanged;
      if (!('event' in trigger) || trigger.event !== type) return false;
      return Object.entries(trigger.where ?? {}).every(([field, values]) => values.includes(String(fields[field])));
    }),
  );
}

export const rulesForTimer = (kind: TimerKind): NotificationRule[] =>
  (NOTIFICATION_RULES as readonly NotificationRule[]).filter((rule) =>
    rule.on.some((trigger) => 'timer' in trigger && trigger.timer === kind),
  );
