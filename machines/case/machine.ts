import { and, assertEvent, assign, setup } from 'xstate';
import { initialContext, type CaseContext, type CaseInput, type Outcome, type Recorded } from './context.js';
import { requirementGuards } from './requirements.js';
import type { CaseEvent } from './schemas.js';

/**
 * The twelve steps of a stimulus-funding case (see shared/docs/process.md) as one pure
 * statechart. No I/O: the actor, their role and the time travel in each event's `meta`.
 *
 * Each transition names the business rules it checks: a guard named after a requirement
 * id of ./requirements.ts passes when `requirementsFor` finds every rule with that id met
 * (so the API explains a refusal with the same rules). This is version 1's reading of the
 * rules; ../versions.ts gives later versions theirs. The other guards pick the branch a
 * payload takes (`decidesApproval`, …). The case's deadlines are declared in ./deadlines.ts.
 *
 * Every state that stands for a step carries the tag `step:N`; parallel steps 10–12
 * carry one tag each. Final states carry `final` and keep the step the case ended at
 * in `context.outcome.step`.
 */

const recorded = (event: CaseEvent): Recorded => ({
  by: event.meta.actorId,
  role: event.meta.role,
  at: event.meta.at,
});

/** Ends the case: `step` is where it ended, or the step it stood at (`context.step`). */
function finish(kind: Outcome, reasonOf: (event: CaseEvent) => string, step?: number) {
  return assign<CaseContext, CaseEvent, undefined, CaseEvent, never>(({ context, event }) => ({
    outcome: { kind, reason: reasonOf(event), step: step ?? context.step, ...recorded(event) },
  }));
}

/** Entry action of each step state, so a later exit (withdrawal, check-in) knows where the case stood. */
const enterStep = (step: number) => ({ type: 'enterStep' as const, params: { step } });

const chart = setup({
  types: {
    context: {} as CaseContext,
    events: {} as CaseEvent,
    input: {} as CaseInput,
  },
  guards: {
    ...requirementGuards(1),
    recommendsRevision: ({ event }) => event.type === 'RECORD_RECOMMENDATION' && event.payload.recommendation === 'revise',
    decidesApproval: ({ event }) => event.type === 'RECORD_DECISION' && event.payload.decision === 'approve',
    decidesRejection: ({ event }) => event.type === 'RECORD_DECISION' && event.payload.decision === 'reject',
    decidesRevision: ({ event }) => event.type === 'RECORD_DECISION' && event.payload.decision === 'revise',
    followUpStops: ({ event }) => event.type === 'RECORD_FOLLOW_UP' && event.payload.conclusion === 'stop',
    decidesImplementation: ({ event }) => event.type === 'RECORD_SCALE_UP_DECISION' && event.payload.decision === 'implement',
    decidesScaleUp: ({ event }) => event.type === 'RECORD_SCALE_UP_DECISION' && event.payload.decision === 'scale-up',
    decidesEnding: ({ event }) => event.type === 'RECORD_SCALE_UP_DECISION' && event.payload.decision === 'end',
    untouched: ({ context }) => context.participants.length === 0 && context.decision === undefined,
  },
  actions: {
    recordParticipant: assign(({ context, event }) => {
      assertEvent(event, 'ADD_PARTICIPANT');
      return { participants: [...context.participants, { userId: event.payload.userId, ...recorded(event) }] };
    }),
    recordContact: assign(({ event }) => {
      assertEvent(event, 'CONTACT_COORDINATORS');
      return { contact: { ...event.payload, ...recorded(event) } };
    }),
    recordEligible: assign(({ event }) => {
      assertEvent(event, 'ASSESS_ELIGIBLE');
      return {
        eligibility: {
          eligible: true,
          priorityAreaId: event.payload.priorityAreaId,
          text: event.payload.justification,
          ...recorded(event),
        },
      };
    }),
    recordNotEligible: assign(({ event }) => {
      assertEvent(event, 'ASSESS_NOT_ELIGIBLE');
      return { eligibility: { eligible: false, text: event.payload.reason, ...recorded(event) } };
    }),
    recordIdeaTemplate: assign(({ event }) => {
      assertEvent(event, 'SUBMIT_IDEA_TEMPLATE');
      return { ideaTemplate: { ...event.payload, ...recorded(event) } };
    }),
    recordAgenda: assign(({ context, event }) => {
      assertEvent(event, 'PLACE_ON_AGENDA');
      return { coordinationGroup: { ...context.coordinationGroup, agenda: { ...event.payload, ...recorded(event) } } };
    }),
    recordCoordinationReview: assign(({ context, event }) => {
      assertEvent(event, 'RECORD_COORDINATION_GROUP_REVIEW');
      return { coordinationGroup: { ...context.coordinationGroup, review: { ...event.payload, ...recorded(event) } } };
    }),
    recordForumBooking: assign(({ context, event }) => {
      assertEvent(event, 'BOOK_DIALOGUE_FORUM');
      return { dialogueForum: { ...context.dialogueForum, booking: { ...event.payload, ...recorded(event) } } };
    }),
    recordForum: assign(({ context, event }) => {
      assertEvent(event, 'RECORD_DIALOGUE_FORUM');
      return { dialogueForum: { ...context.dialogueForum, record: { ...event.payload, ...recorded(event) } } };
    }),
    recordTargetGroupDialogue: assign(({ event }) => {
      assertEvent(event, 'RECORD_TARGET_GROUP_DIALOGUE');
      return { targetGroupDialogue: { skipped: false as const, ...event.payload, ...recorded(event) } };
    }),
    recordTargetGroupDialogueSkipped: assign(({ event }) => {
      assertEvent(event, 'SKIP_TARGET_GROUP_DIALOGUE');
      return { targetGroupDialogue: { skipped: true as const, ...event.payload, ...recorded(event) } };
    }),
    enterStep: assign((_, params: { step: number }) => ({ step: params.step })),
    recordCheckIn: assign(({ context, event }) => {
      assertEvent(event, 'RECORD_CHECK_IN');
      return { checkIns: [...context.checkIns, { ...event.payload, step: context.step, ...recorded(event) }] };
    }),
    updateProposal: assign(({ context, event }) => {
      assertEvent(event, 'UPDATE_PROPOSAL');
      return { proposal: { ...context.proposal, ...event.payload } };
    }),
    recordCriterion: assign(({ context, event }) => {
      assertEvent(event, 'ASSESS_CRITERION');
      return {
        criteria: { ...context.criteria, [event.payload.criterionId]: { ...event.payload, ...recorded(event) } },
      };
    }),
    recordRecommendation: assign(({ event }) => {
      assertEvent(event, 'RECORD_RECOMMENDATION');
      return { recommendation: { ...event.payload, ...recorded(event) } };
    }),
    recordDecision: assign(({ event }) => {
      assertEvent(event, 'RECORD_DECISION');
      return { decision: { ...event.payload, ...recorded(event) } };
    }),
    recordRevisionRequest: assign(({ context, event }) => {
      const source = event.type === 'RECORD_DECISION' ? ('decision' as const) : ('recommendation' as const);
      const motivation = event.type === 'RECORD_DECISION' || event.type === 'RECORD_RECOMMENDATION' ? event.payload.motivation : '';
      // The next round needs a fresh recommendation and decision; the old ones stay in the event log.
      return {
        revisions: [...context.revisions, { source, motivation, at: event.meta.at }],
        recommendation: undefined,
        decision: undefined,
      };
    }),
    recordFollowUp: assign(({ context, event }) => {
      assertEvent(event, 'RECORD_FOLLOW_UP');
      return { followUps: [...context.followUps, { ...event.payload, ...recorded(event) }] };
    }),
    recordFollowUpReport: assign(({ context, event }) => {
      assertEvent(event, 'SUBMIT_FOLLOW_UP_REPORT');
      return { followUpReports: [...(context.followUpReports ?? []), { ...event.payload, ...recorded(event) }] };
    }),
    recordEnd: assign(({ event }) => {
      assertEvent(event, 'END_INITIATIVE');
      return { execution: { ended: { ...event.payload, ...recorded(event) } } };
    }),
    recordSeminar: assign(({ context, event }) => {
      assertEvent(event, 'RECORD_SEMINAR');
      return { seminars: [...context.seminars, { ...event.payload, ...recorded(event) }] };
    }),
    recordScaleUpPlan: assign(({ event }) => {
      assertEvent(event, 'UPDATE_SCALE_UP_PLAN');
      return { scaleUpPlan: { ...event.payload, ...recorded(event) } };
    }),
    recordScaleUpRecommendation: assign(({ event }) => {
      assertEvent(event, 'RECORD_SCALE_UP_RECOMMENDATION');
      return { scaleUpRecommendation: { ...event.payload, ...recorded(event) } };
    }),
    recordScaleUpDecision: assign(({ event }) => {
      assertEvent(event, 'RECORD_SCALE_UP_DECISION');
      return { scaleUpDecision: { ...event.payload, ...recorded(event) } };
    }),
    finishNotEligible: finish('not-eligible', (e) => (e.type === 'ASSESS_NOT_ELIGIBLE' ? e.payload.reason : '')),
    finishWithdrawn: finish('withdrawn', (e) => (e.type === 'WITHDRAW' ? e.payload.reason : '')),
    finishRejected: finish('rejected', (e) => (e.type === 'RECORD_DECISION' ? e.payload.motivation : '')),
    finishStopped: finish('stopped', (e) => (e.type === 'RECORD_FOLLOW_UP' ? e.payload.narrative : ''), 10),
    finishImplemented: finish('implemented', (e) => (e.type === 'RECORD_SCALE_UP_DECISION' ? e.payload.motivation : ''), 12),
    finishScaledUp: finish('scaled-up', (e) => (e.type === 'RECORD_SCALE_UP_DECISION' ? e.payload.motivation : ''), 12),
    finishEnded: finish('ended', (e) => (e.type === 'RECORD_SCALE_UP_DECISION' ? e.payload.motivation : ''), 12),
    recordImport: assign(({ context, event }) => {
      assertEvent(event, 'IMPORT_DECIDED');
      const p = event.payload;
      const by = recorded(event);
      return {
        idea: { ...context.idea, title: p.title, summary: p.summary },
        eligibility: { eligible: true, priorityAreaId: p.priorityAreaId, text: p.summary, ...by },
        decision: {
          decision: 'approve' as const,
          motivation: p.motivation ?? `${p.decidingBody}, ${p.reference}`,
          grantedBudget: p.grantedBudget,
          reference: p.reference,
          followUpDates: p.followUpDates,
          decidedOn: p.decisionDate,
          decidedBy: p.decidingBody,
          ...by,
        },
        imported: { source: p.source, endDate: p.endDate, ...by },
      };
    }),
  },
});

/** What a chart has beyond version 1's. */
interface ChartOptions {
  /**
   * Version 3: a case that has only just been created may take IMPORT_DECIDED: a decided
   * initiative recorded from a spreadsheet enters straight at step 10, with its decision as it
   * was made.
   */
  importable: boolean;
  /**
   * Version 4: the initiator submits a follow-up report for each follow-up date
   * (SUBMIT_FOLLOW_UP_REPORT), and the steering group's RECORD_FOLLOW_UP is the review of a
   * submitted report (`follow-up-report-submitted`). The case keeps `followUpReports` from the start.
   */
  reports: boolean;
}

/** The chart. Without options it is exactly version 1's. */
function caseChart({ importable, reports }: ChartOptions) {
  return chart.createMachine({
    id: 'case',
    context: ({ input }) => (reports ? { ...initialContext(input), followUpReports: [] } : initialContext(input)),
    initial: 'open',
    states: {
      open: {
        description: 'Steps 1–9: until the decision, the initiator may withdraw the case.',
        initial: 'idea',
        on: {
          WITHDRAW: { target: '#case.withdrawn', actions: 'finishWithdrawn' },
          // Until the case is closed, its initiator or a coordinator can bring in co-writers.
          ADD_PARTICIPANT: { guard: 'participant-new', actions: 'recordParticipant' },
        },
        states: {
          idea: {
            tags: ['step:1'],
            entry: enterStep(1),
            description: 'Step 1: an idea or a problem area has been raised.',
            on: {
              CONTACT_COORDINATORS: { target: 'coordinatorContact', actions: 'recordContact' },
              ...(importable
                ? {
                    // Only a case nothing has happened to yet: the import is its first event.
                    IMPORT_DECIDED: { guard: 'untouched', target: '#case.running', actions: 'recordImport' },
                  }
                : {}),
            },
          },
          coordinatorContact: {
            tags: ['step:2'],
            entry: enterStep(2),
            description: 'Step 2: the county coordinators support the initiator and assess fit with the agreement.',
            on: {
              ASSESS_ELIGIBLE: { guard: 'priority-area-of-programme', target: 'ideaTemplate', actions: 'recordEligible' },
              ASSESS_NOT_ELIGIBLE: { target: '#case.notEligible', actions: ['recordNotEligible', 'finishNotEligible'] },
            },
          },
          ideaTemplate: {
            tags: ['step:3'],
            entry: enterStep(3),
            description: "Step 3: the initiator fills in and submits the programme's idea template.",
            on: {
              SUBMIT_IDEA_TEMPLATE: { target: 'preparation', actions: 'recordIdeaTemplate' },
            },
          },
          preparation: {
            description: 'Steps 4–9: check-ins with management groups can be recorded throughout.',
            initial: 'coordinationGroup',
            on: {
              RECORD_CHECK_IN: { actions: 'recordCheckIn' },
            },
            states: {
              coordinationGroup: {
                tags: ['step:4'],
                entry: enterStep(4),
                description: 'Step 4: the coordination group hears the idea and names the actors to involve.',
                on: {
                  PLACE_ON_AGENDA: { actions: 'recordAgenda' },
                  RECORD_COORDINATION_GROUP_REVIEW: { target: 'dialogueForum', actions: 'recordCoordinationReview' },
                },
              },
              dialogueForum: {
                tags: ['step:5'],
                entry: enterStep(5),
                description: 'Step 5: a dialogue forum goes deep into the problem and the needs.',
                on: {
                  BOOK_DIALOGUE_FORUM: { actions: 'recordForumBooking' },
                  RECORD_DIALOGUE_FORUM: { guard: 'forum-role-accounted', target: 'targetGroupDialogue', actions: 'recordForum' },
                },
              },
              targetGroupDialogue: {
                tags: ['step:6'],
                entry: enterStep(6),
                description: 'Step 6 (optional): dialogue with target groups to pin down the need.',
                on: {
                  RECORD_TARGET_GROUP_DIALOGUE: { target: 'checkIns', actions: 'recordTargetGroupDialogue' },
                  SKIP_TARGET_GROUP_DIALOGUE: { target: 'checkIns', actions: 'recordTargetGroupDialogueSkipped' },
                },
              },
              checkIns: {
                tags: ['step:7'],
                entry: enterStep(7),
                description: 'Step 7: check-ins with the management and collaboration groups concerned.',
                on: {
                  START_PROPOSAL: { guard: 'check-in-recorded', target: 'proposal' },
                },
              },
              proposal: {
                tags: ['step:8'],
                entry: enterStep(8),
                description: 'Step 8: the full proposal is written and the criteria are assessed.',
                on: {
                  UPDATE_PROPOSAL: { actions: 'updateProposal' },
                  ASSESS_CRITERION: { guard: 'criterion-of-programme', actions: 'recordCriterion' },
                  SUBMIT_TO_LSVO: {
                    // scope-stated and action-plan-complete are rules from version 2 on: under
                    // version 1 requirementsFor gives no rule with those ids, so those guards pass.
                    guard: and([
                      'municipal-and-regional-participants',
                      'user-participation',
                      'purpose-goals-and-logic',
                      'target-group',
                      'measurable-indicator',
                      'evidence-for-every-activity',
                      'evaluation-and-implementation-plan',
                      'budget-and-economic-effects',
                      'scope-stated',
                      'action-plan-complete',
                      'criterion-assessed',
                      'criterion-fulfilled',
                    ]),
                    target: 'decision',
                  },
                },
              },
              decision: {
                tags: ['step:9'],
                entry: enterStep(9),
                description: 'Step 9: LSVO recommends, then the regional director decides.',
                initial: 'awaitingRecommendation',
                states: {
                  awaitingRecommendation: {
                    on: {
                      RECORD_RECOMMENDATION: [
                        {
                          guard: 'recommendsRevision',
                          target: '#case.open.preparation.proposal',
                          actions: ['recordRecommendation', 'recordRevisionRequest'],
                        },
                        { target: 'awaitingDecision', actions: 'recordRecommendation' },
                      ],
                    },
                  },
                  awaitingDecision: {
                    on: {
                      // Deviating from LSVO's recommendation needs a motivation; an approval also
                      // needs a granted budget and follow-up dates.
                      RECORD_DECISION: [
                        {
                          guard: and(['deviation-motivated', 'granted-budget-present', 'follow-up-plan-present', 'decidesApproval']),
                          target: '#case.running',
                          actions: 'recordDecision',
                        },
                        {
                          guard: and(['deviation-motivated', 'decidesRejection']),
                          target: '#case.rejected',
                          actions: ['recordDecision', 'finishRejected'],
                        },
                        {
                          guard: and(['deviation-motivated', 'decidesRevision']),
                          target: '#case.open.preparation.proposal',
                          actions: ['recordDecision', 'recordRevisionRequest'],
                        },
                      ],
                    },
                  },
                },
              },
            },
          },
        },
      },
      running: {
        type: 'parallel',
        description: 'Steps 10–12 run side by side once the director has said yes.',
        entry: enterStep(10),
        on: {
          ADD_PARTICIPANT: { guard: 'participant-new', actions: 'recordParticipant' },
        },
        states: {
          execution: {
            initial: 'ongoing',
            states: {
              ongoing: {
                tags: ['step:10'],
                description: 'Step 10: the initiative runs and is followed up against its plan.',
                on: {
                  // Values are reported on the proposal's own indicators; a report that adjusts
                  // the plan describes the adjustment (one that stops has none to describe).
                  RECORD_FOLLOW_UP: [
                    {
                      // Version 4's review names the rule that a report waits for it; earlier charts do not.
                      guard: reports
                        ? and(['follow-up-report-submitted', 'indicator-of-proposal', 'followUpStops'])
                        : and(['indicator-of-proposal', 'followUpStops']),
                      target: '#case.stopped',
                      actions: ['recordFollowUp', 'finishStopped'],
                    },
                    {
                      guard: reports
                        ? and(['follow-up-report-submitted', 'indicator-of-proposal', 'adjustment-described'])
                        : and(['indicator-of-proposal', 'adjustment-described']),
                      actions: 'recordFollowUp',
                    },
                  ],
                  ...(reports
                    ? {
                        // The initiator reports on a follow-up date that has no report yet.
                        SUBMIT_FOLLOW_UP_REPORT: {
                          guard: and(['follow-up-date-open', 'indicator-of-proposal']),
                          actions: 'recordFollowUpReport',
                        },
                      }
                    : {}),
                  END_INITIATIVE: { target: 'finished', actions: 'recordEnd' },
                },
              },
              finished: {
                description: 'The initiative has ended; the implementation / scale-up decision remains.',
              },
            },
          },
          seminars: {
            initial: 'active',
            states: {
              active: {
                tags: ['step:11'],
                description: 'Step 11: seminars to learn and to spread results, during and after the initiative.',
                on: { RECORD_SEMINAR: { actions: 'recordSeminar' } },
              },
            },
          },
          scaleUp: {
            initial: 'planning',
            states: {
              planning: {
                tags: ['step:12'],
                description: 'Step 12: the plan for implementation and scale-up is refined.',
                on: {
                  UPDATE_SCALE_UP_PLAN: { actions: 'recordScaleUpPlan' },
                  RECORD_SCALE_UP_RECOMMENDATION: {
                    // A plan is needed unless LSVO recommends ending.
                    guard: and(['initiative-ended', 'scale-up-plan-present']),
                    target: 'awaitingDecision',
                    actions: 'recordScaleUpRecommendation',
                  },
                },
              },
              awaitingDecision: {
                tags: ['step:12'],
                description: "Step 12: the regional director decides on LSVO's recommendation.",
                on: {
                  RECORD_SCALE_UP_DECISION: [
                    {
                      guard: and(['deviation-motivated', 'decidesImplementation']),
                      target: '#case.implemented',
                      actions: ['recordScaleUpDecision', 'finishImplemented'],
                    },
                    {
                      guard: and(['deviation-motivated', 'decidesScaleUp']),
                      target: '#case.scaledUp',
                      actions: ['recordScaleUpDecision', 'finishScaledUp'],
                    },
                    {
                      guard: and(['deviation-motivated', 'decidesEnding']),
                      target: '#case.ended',
                      actions: ['recordScaleUpDecision', 'finishEnded'],
                    },
                  ],
                },
              },
            },
          },
        },
      },
      notEligible: { type: 'final', tags: ['final'], description: 'Not in line with the agreement or a priority area.' },
      withdrawn: { type: 'final', tags: ['final'], description: 'Withdrawn by the initiator.' },
      rejected: { type: 'final', tags: ['final'], description: 'The regional director decided not to carry it out.' },
      stopped: { type: 'final', tags: ['final'], description: 'Stopped at a follow-up.' },
      implemented: { type: 'final', tags: ['final'], description: 'Decided: implemented in ordinary operations.' },
      scaledUp: { type: 'final', tags: ['final'], description: 'Decided: scaled up.' },
      ended: { type: 'final', tags: ['final'], description: 'Decided: ended without implementation.' },
    },
  });
}

export const caseMachine = caseChart({ importable: false, reports: false });

/** Version 3's chart: version 1's, and a decided initiative may be imported at the very start. */
export const importableCaseMachine = caseChart({ importable: true, reports: false });

/** Version 4's chart: version 1's, with the initiator's follow-up reports and the steering group's review of them. */
export const reportingCaseMachine = caseChart({ importable: false, reports: true });

export type CaseMachine = typeof caseMachine;
