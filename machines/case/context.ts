import type { ForumRole } from '../roles.js';
import type { PayloadOf, ProposalFields } from './schemas.js';

/** When and by whom something was recorded. */
export interface Recorded {
  by: string;
  role: string;
  at: string;
}

/** The part of a programme's configuration the machine needs for its guards. */
export interface ProgrammeRules {
  priorityAreaIds: string[];
  criterionIds: string[];
  forumRequiredRoles: ForumRole[];
}

export interface CaseInput {
  caseId: string;
  programme: ProgrammeRules;
  idea: { title: string; summary: string; initiatorId: string };
  at: string;
}

export type Outcome = 'not-eligible' | 'withdrawn' | 'rejected' | 'stopped' | 'implemented' | 'scaled-up' | 'ended';

export interface CaseContext {
  caseId: string;
  programme: ProgrammeRules;
  idea: { title: string; summary: string; initiatorId: string; createdAt: string };
  /** Users who take part in the case besides its initiator (they see it and may co-write it). */
  participants: ({ userId: string } & Recorded)[];
  contact?: PayloadOf<'CONTACT_COORDINATORS'> & Recorded;
  eligibility?: { eligible: boolean; priorityAreaId?: string; text: string } & Recorded;
  ideaTemplate?: PayloadOf<'SUBMIT_IDEA_TEMPLATE'> & Recorded;
  coordinationGroup: {
    agenda?: PayloadOf<'PLACE_ON_AGENDA'> & Recorded;
    review?: PayloadOf<'RECORD_COORDINATION_GROUP_REVIEW'> & Recorded;
  };
  dialogueForum: {
    booking?: PayloadOf<'BOOK_DIALOGUE_FORUM'> & Recorded;
    record?: PayloadOf<'RECORD_DIALOGUE_FORUM'> & Recorded;
  };
  targetGroupDialogue?:
    | ({ skipped: false } & PayloadOf<'RECORD_TARGET_GROUP_DIALOGUE'> & Recorded)
    | ({ skipped: true } & PayloadOf<'SKIP_TARGET_GROUP_DIALOGUE'> & Recorded);
  checkIns: (PayloadOf<'RECORD_CHECK_IN'> & Recorded & { step: number })[];
  proposal: ProposalFields;
  criteria: Record<string, PayloadOf<'ASSESS_CRITERION'> & Recorded>;
  revisions: { source: 'recommendation' | 'decision'; motivation: string; at: string }[];
  recommendation?: PayloadOf<'RECORD_RECOMMENDATION'> & Recorded;
  /** The decision; an imported one also says on which day it was made and by whom (`at` is when it was recorded). */
  decision?: PayloadOf<'RECORD_DECISION'> & Recorded & { decidedOn?: string; decidedBy?: string };
  /** Set when the case was imported as decided (IMPORT_DECIDED): where it came from, and when it was recorded. */
  imported?: { source: PayloadOf<'IMPORT_DECIDED'>['source']; endDate?: string } & Recorded;
  /**
   * The initiator's follow-up reports, in the order they were submitted (machine version 4 on;
   * absent on cases of earlier versions, where the steering group records follow-ups alone).
   */
  followUpReports?: (PayloadOf<'SUBMIT_FOLLOW_UP_REPORT'> & Recorded)[];
  /** The steering group's follow-ups; from version 4, each the review of the report of the same place in `followUpReports`. */
  followUps: (PayloadOf<'RECORD_FOLLOW_UP'> & Recorded)[];
  seminars: (PayloadOf<'RECORD_SEMINAR'> & Recorded)[];
  execution: { ended?: PayloadOf<'END_INITIATIVE'> & Recorded };
  scaleUpPlan?: PayloadOf<'UPDATE_SCALE_UP_PLAN'> & Recorded;
  scaleUpRecommendation?: PayloadOf<'RECORD_SCALE_UP_RECOMMENDATION'> & Recorded;
  scaleUpDecision?: PayloadOf<'RECORD_SCALE_UP_DECISION'> & Recorded;
  /** The step the case stands at (the lowest, while steps 10–12 run in parallel). */
  step: number;
  outcome?: { kind: Outcome; reason: string; step: number } & Recorded;
}

export function initialContext(input: CaseInput): CaseContext {
  return {
    caseId: input.caseId,
    step: 1,
    programme: input.programme,
    idea: { ...input.idea, createdAt: input.at },
    participants: [],
    coordinationGroup: {},
    dialogueForum: {},
    checkIns: [],
    proposal: {},
    criteria: {},
    revisions: [],
    followUps: [],
    seminars: [],
    execution: {},
  };
}

/**
 * The decision's follow-up dates, in order, that no report settles yet. From version 4 a date
 * is settled once the initiator has submitted its report; before, by the steering group's
 * follow-ups in order (the first N dates for N follow-ups).
 */
export function outstandingFollowUpDates(ctx: CaseContext): string[] {
  if (!ctx.decision) return [];
  const dates = [...new Set(ctx.decision?.followUpDates ?? [])].sort();
  if (ctx.followUpReports === undefined) return dates.slice(ctx.followUps.length);
  const reported = new Set(ctx.followUpReports.map((r) => r.followUpDate));
  return dates.filter((d) => !reported.has(d));
}

/** Version 4: a submitted follow-up report the steering group has not reviewed yet (reviews take the reports in order). */
export const unreviewedReport = (ctx: CaseContext) => ctx.followUpReports?.[ctx.followUps.length];
