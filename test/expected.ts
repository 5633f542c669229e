import type { ForumRole } from '../machines/roles.js';

/*
 * Expected values shared by several suites, written out here rather than imported from the
 * code under test so the tests stay an independent statement of the rules.
 */

/** The criteria of the Blekinge programme (templates/programmes/uph-blekinge.json). */
export const BLEKINGE_CRITERIA = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];

/** What an empty proposal lacks under machine version 1, in the order checked, before the criteria. */
export const EMPTY_PROPOSAL_UNMET_V1 = [
  'municipal-and-regional-participants',
  'user-participation',
  'purpose-goals-and-logic',
  'target-group',
  'measurable-indicator',
  'evidence-for-every-activity',
  'evaluation-and-implementation-plan',
  'budget-and-economic-effects',
];

/** Machine version 2 (new cases) also wants the scope and a complete action plan. */
export const EMPTY_PROPOSAL_UNMET = [...EMPTY_PROPOSAL_UNMET_V1, 'scope-stated', 'action-plan-complete'];

/**
 * A case's input as the machine gets it, with the Blekinge programme's rules: for tests that
 * run the chart without the engine.
 */
export const machineInput = (name: string, at: string) => ({
  caseId: name.toLowerCase(),
  programme: {
    priorityAreaIds: ['barn-och-unga'],
    criterionIds: BLEKINGE_CRITERIA,
    forumRequiredRoles: [
      'idea-owner',
      'identified-actors',
      'county-coordinator',
      'suicide-prevention-coordinator',
      'local-coordinator',
      'user-organisation',
    ] as ForumRole[],
  },
  idea: { title: name, summary: name, initiatorId: 'u-initiator' },
  at,
});
