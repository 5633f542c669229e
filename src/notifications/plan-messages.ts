import type { Role } from '../../machines/roles.js';
import type { AssignmentTimerKind } from '../plans/deadlines.js';

/*
 * The e-mail about a programme's plan rather than a case: who is told when an assignment's
 * due date draws near and when it has passed. The assignment's responsible is a party's name
 * (a municipality, a unit), not an account, so the programme's own people are told: its
 * mailbox and county coordinators, and, once the date has passed, its steering group too.
 * Written by ./plan-mail.ts through the same outbox and relay as the case messages.
 */

export type PlanAudience = { role: Role } | { programme: 'mailbox' };

export interface PlanMessageRule {
  /** The assignment timer whose firing sends it. */
  timer: AssignmentTimerKind;
  to: readonly PlanAudience[];
  /** Template variables besides the common ones (PLAN_COMMON_VARIABLES). */
  variables: readonly string[];
}

const mailbox = { programme: 'mailbox' } as const;
const role = (r: Role) => ({ role: r }) as const;

/** Every kind of plan message; each requires its recipients to act, so none can be turned off. */
export const PLAN_MESSAGES = {
  'assignment-due': {
    timer: 'assignment-reminder',
    to: [mailbox, role('county-coordinator')],
    variables: ['assignmentTitle', 'responsible', 'dueLabel', 'dueDate', 'daysLeft'],
  },
  'assignment-overdue': {
    timer: 'assignment-overdue',
    to: [mailbox, role('county-coordinator'), role('steering-group')],
    variables: ['assignmentTitle', 'responsible', 'dueLabel', 'dueDate', 'daysOverdue'],
  },
} as const satisfies Record<string, PlanMessageRule>;
export type PlanMessageKind = keyof typeof PLAN_MESSAGES;
export const PLAN_MESSAGE_KINDS = Object.keys(PLAN_MESSAGES) as PlanMessageKind[];

/** Variables every plan message has: `coordinators` is the programme's own name for them. */
export const PLAN_COMMON_VARIABLES = ['recipientName', 'programmeName', 'settingsUrl', 'planUrl', 'coordinators'] as const;

/** The message a fired assignment timer sends. */
export const planMessageFor = (timer: string): PlanMessageKind | undefined =>
  PLAN_MESSAGE_KINDS.find((kind) => PLAN_MESSAGES[kind].timer === timer);
