import { outstandingFollowUpDates, unreviewedReport, type CaseContext } from './context.js';
import type { CaseEvent, CaseEventType } from './schemas.js';

/**
 * The business rules that decide whether an event may change a case. Each rule has a
 * stable id (its label is in src/i18n under `requirements.<id>`), so the machine's guards
 * (one per id, see `requirementGuards`), the API's 422 responses and the "why not" of a
 * case read all come from this one place.
 *
 * Rules that depend on the payload are only evaluated when a payload is given; without
 * one (when listing what a caller may do now) only the rules on the case's data count.
 */
export const REQUIREMENT_IDS = [
  'municipal-and-regional-participants',
  'user-participation',
  'purpose-goals-and-logic',
  'target-group',
  'measurable-indicator',
  'evidence-for-every-activity',
  'evaluation-and-implementation-plan',
  'budget-and-economic-effects',
  'criterion-assessed',
  'criterion-fulfilled',
  'criterion-of-programme',
  'check-in-recorded',
  'priority-area-of-programme',
  'forum-role-accounted',
  'deviation-motivated',
  'granted-budget-present',
  'follow-up-plan-present',
  'indicator-of-proposal',
  'adjustment-described',
  'initiative-ended',
  'scale-up-plan-present',
  'participant-new',
  // From machine version 2:
  'scope-stated',
  'action-plan-complete',
  // From machine version 4:
  'follow-up-date-open',
  'follow-up-report-submitted',
] as const;

/** The rules a version adds; a chart of an earlier version does not name them. */
export const RULES_FROM_VERSION: Partial<Record<RequirementId, number>> = {
  'scope-stated': 2,
  'action-plan-complete': 2,
  'follow-up-date-open': 4,
  'follow-up-report-submitted': 4,
};

/** The rules of machine `version`. */
export const requirementIdsOf = (version: number): RequirementId[] =>
  REQUIREMENT_IDS.filter((id) => (RULES_FROM_VERSION[id] ?? 1) <= version);
export type RequirementId = (typeof REQUIREMENT_IDS)[number];

export interface Requirement {
  id: RequirementId;
  met: boolean;
  /** Which item the rule is about, e.g. the criterion id or the forum role. */
  subject?: string;
}

const filled = (s: string | undefined) => typeof s === 'string' && s.trim().length > 0;

/**
 * The rules a proposal must meet. `version` is the case's machine version: a released
 * version's rules never change; later versions add to them.
 */
export function proposalRequirements(ctx: CaseContext, version = 1): Requirement[] {
  const p = ctx.proposal;
  const participants = p.participants ?? [];
  const activities = p.activities ?? [];
  const rules: Requirement[] = [
    {
      id: 'municipal-and-regional-participants',
      met: participants.some((o) => o.kind === 'municipal') && participants.some((o) => o.kind === 'regional'),
    },
    {
      id: 'user-participation',
      met: filled(p.userParticipation) || participants.some((o) => o.kind === 'user-organisation'),
    },
    {
      id: 'purpose-goals-and-logic',
      met: filled(p.background) && filled(p.purpose) && (p.goals ?? []).length > 0 && filled(p.logic),
    },
    { id: 'target-group', met: filled(p.targetGroup) },
    { id: 'measurable-indicator', met: (p.indicators ?? []).length > 0 },
    {
      id: 'evidence-for-every-activity',
      met: activities.length > 0 && activities.every((a) => a.evidence !== undefined),
    },
    {
      id: 'evaluation-and-implementation-plan',
      met: filled(p.evaluationPlan) && filled(p.implementationPlan),
    },
    {
      id: 'budget-and-economic-effects',
      met: (p.budget ?? []).some((line) => line.amountOre > 0) && filled(p.economicEffects),
    },
  ];
  if (version >= 2) {
    rules.push(
      { id: 'scope-stated', met: p.scope !== undefined },
      { id: 'action-plan-complete', met: filled(p.longTermGoal) && (p.shortTermGoals ?? []).length > 0 && filled(p.followUpPlan) },
    );
  }
  for (const criterionId of ctx.programme.criterionIds) {
    const assessment = ctx.criteria[criterionId];
    rules.push({ id: 'criterion-assessed', subject: criterionId, met: assessment !== undefined });
    if (assessment) {
      rules.push({ id: 'criterion-fulfilled', subject: criterionId, met: assessment.fulfilled });
    }
  }
  return rules;
}

function forumRequirements(ctx: CaseContext, event: Extract<CaseEvent, { type: 'RECORD_DIALOGUE_FORUM' }>) {
  const identifiedActors = ctx.coordinationGroup.review?.actorsToInvolve.length ?? 0;
  const required = ctx.programme.forumRequiredRoles.filter((role) => role !== 'identified-actors' || identifiedActors > 0);
  return required.map((role): Requirement => {
    const entries = event.payload.attendance.filter((a) => a.role === role);
    const accounted = entries.some((a) => a.present) || (entries.length > 0 && entries.every((a) => !a.present && filled(a.absenceReason)));
    return { id: 'forum-role-accounted', subject: role, met: accounted };
  });
}

/** Values are reported on the proposal's own indicators. */
function indicatorRules(ctx: CaseContext, values: { indicatorId: string }[]): Requirement[] {
  const known = new Set((ctx.proposal.indicators ?? []).map((i) => i.id));
  return values.map((v) => ({ id: 'indicator-of-proposal', subject: v.indicatorId, met: known.has(v.indicatorId) }));
}

function deviationRule(recommended: string | undefined, decided: string, motivation: string | undefined): Requirement {
  return {
    id: 'deviation-motivated',
    met: recommended === undefined || recommended === decided || filled(motivation),
  };
}

export function requirementsFor(
  type: CaseEventType,
  ctx: CaseContext,
  event?: CaseEvent,
  /** The case's machine version (see machines/versions.ts). */
  version = 1,
): Requirement[] {
  const withPayload = event !== undefined && event.type === type;
  switch (type) {
    case 'START_PROPOSAL':
      return [{ id: 'check-in-recorded', met: ctx.checkIns.length > 0 }];
    case 'SUBMIT_TO_LSVO':
      return proposalRequirements(ctx, version);
    case 'SUBMIT_FOLLOW_UP_REPORT': {
      // Version 4: a report is for one of the decision's follow-up dates that has none yet.
      if (version < 4) return [];
      const open = outstandingFollowUpDates(ctx);
      if (!withPayload || event.type !== 'SUBMIT_FOLLOW_UP_REPORT') return [{ id: 'follow-up-date-open', met: open.length > 0 }];
      const p = event.payload;
      return [
        { id: 'follow-up-date-open', subject: p.followUpDate, met: open.includes(p.followUpDate) },
        ...indicatorRules(ctx, p.indicatorValues),
      ];
    }
    case 'RECORD_FOLLOW_UP': {
      // Version 4: the steering group's follow-up is the review of a report the initiator submitted.
      const rules: Requirement[] = version >= 4 ? [{ id: 'follow-up-report-submitted', met: unreviewedReport(ctx) !== undefined }] : [];
      if (!withPayload || event.type !== 'RECORD_FOLLOW_UP') return rules;
      const p = event.payload;
      rules.push(...indicatorRules(ctx, p.indicatorValues));
      if (p.conclusion === 'adjust') rules.push({ id: 'adjustment-described', met: filled(p.adjustment) });
      return rules;
    }
    case 'RECORD_SCALE_UP_RECOMMENDATION': {
      const rules: Requirement[] = [{ id: 'initiative-ended', met: ctx.execution.ended !== undefined }];
      if (withPayload && event.type === 'RECORD_SCALE_UP_RECOMMENDATION' && event.payload.recommendation !== 'end') {
        rules.push({ id: 'scale-up-plan-present', met: ctx.scaleUpPlan !== undefined });
      }
      return rules;
    }
  }
  if (!withPayload) return [];
  switch (event.type) {
    case 'ADD_PARTICIPANT': {
      const { userId } = event.payload;
      const known = userId === ctx.idea.initiatorId || ctx.participants.some((p) => p.userId === userId);
      return [{ id: 'participant-new', met: !known }];
    }
    case 'ASSESS_ELIGIBLE':
      return [
        {
          id: 'priority-area-of-programme',
          subject: event.payload.priorityAreaId,
          met: ctx.programme.priorityAreaIds.includes(event.payload.priorityAreaId),
        },
      ];
    case 'RECORD_DIALOGUE_FORUM':
      return forumRequirements(ctx, event);
    case 'ASSESS_CRITERION':
      return [
        {
          id: 'criterion-of-programme',
          subject: event.payload.criterionId,
          met: ctx.programme.criterionIds.includes(event.payload.criterionId),
        },
      ];
    case 'RECORD_DECISION': {
      const p = event.payload;
      const rules = [deviationRule(ctx.recommendation?.recommendation, p.decision, p.deviationMotivation)];
      if (p.decision === 'approve') {
        rules.push({ id: 'granted-budget-present', met: (p.grantedBudget ?? []).length > 0 });
        rules.push({ id: 'follow-up-plan-present', met: (p.followUpDates ?? []).length > 0 });
      }
      return rules;
    }
    case 'RECORD_SCALE_UP_DECISION':
      return [deviationRule(ctx.scaleUpRecommendation?.recommendation, event.payload.decision, event.payload.deviationMotivation)];
    default:
      return [];
  }
}

export const unmet = (rules: Requirement[]) => rules.filter((r) => !r.met);

/** What a rule guard is given: the case's data and the event being decided. */
interface RuleGuardArgs {
  context: CaseContext;
  event: CaseEvent;
}

/**
 * One guard per requirement id, for machine `version`: the guard named `id` passes when
 * every rule with that id that `requirementsFor(event.type, context, event, version)` gives
 * is met. When it gives none with that id (the rule does not apply to this payload, or
 * does not exist in this version), the guard passes. So a transition that names its rules
 * agrees with `requirementsFor`, and with the API's 422, by construction.
 */
export function requirementGuards(version: number): Record<RequirementId, (args: RuleGuardArgs) => boolean> {
  const guard =
    (id: RequirementId) =>
    ({ context, event }: RuleGuardArgs) =>
      requirementsFor(event.type, context, event, version).every((r) => r.id !== id || r.met);
  return Object.fromEntries(REQUIREMENT_IDS.map((id) => [id, guard(id)])) as Record<RequirementId, (args: RuleGuardArgs) => boolean>;
}
