import type { Role } from '../roles.js';
import { CASE_EVENT_TYPES, type CaseEventType } from './schemas.js';

/**
 * Who may send which event. `initiator` means an initiator who owns or takes part in
 * the case; the programme roles act on every case of their programme.
 */
export const EVENT_ROLES: Record<CaseEventType, readonly Role[]> = {
  ADD_PARTICIPANT: ['initiator', 'county-coordinator'],
  CONTACT_COORDINATORS: ['initiator'],
  ASSESS_ELIGIBLE: ['county-coordinator'],
  ASSESS_NOT_ELIGIBLE: ['county-coordinator'],
  SUBMIT_IDEA_TEMPLATE: ['initiator'],
  PLACE_ON_AGENDA: ['county-coordinator'],
  RECORD_COORDINATION_GROUP_REVIEW: ['coordination-group'],
  BOOK_DIALOGUE_FORUM: ['county-coordinator'],
  RECORD_DIALOGUE_FORUM: ['county-coordinator'],
  RECORD_TARGET_GROUP_DIALOGUE: ['county-coordinator'],
  SKIP_TARGET_GROUP_DIALOGUE: ['county-coordinator'],
  RECORD_CHECK_IN: ['county-coordinator', 'local-coordinator'],
  START_PROPOSAL: ['county-coordinator'],
  UPDATE_PROPOSAL: ['initiator', 'county-coordinator', 'local-coordinator'],
  ASSESS_CRITERION: ['county-coordinator'],
  SUBMIT_TO_LSVO: ['county-coordinator'],
  RECORD_RECOMMENDATION: ['lsvo-secretary'],
  RECORD_DECISION: ['regional-director'],
  WITHDRAW: ['initiator'],
  SUBMIT_FOLLOW_UP_REPORT: ['initiator'],
  RECORD_FOLLOW_UP: ['steering-group'],
  END_INITIATIVE: ['steering-group', 'county-coordinator'],
  RECORD_SEMINAR: ['county-coordinator'],
  UPDATE_SCALE_UP_PLAN: ['initiator', 'county-coordinator', 'steering-group'],
  RECORD_SCALE_UP_RECOMMENDATION: ['lsvo-secretary'],
  RECORD_SCALE_UP_DECISION: ['regional-director'],
  IMPORT_DECIDED: ['administrator'],
};

export const STEP_COUNT = 12;
export const STEPS = Array.from({ length: STEP_COUNT }, (_, i) => i + 1);

export { CASE_EVENT_TYPES };
