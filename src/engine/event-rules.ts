import { eventPayloads, type CaseEventType, type PayloadOf } from '../../machines/case/schemas.js';
import { DomainError, fieldErrors, type FieldError } from '../errors.js';
import { ideaAnswersSchema, type IdeaTemplate, type ProgrammeConfig } from '../programmes/config.js';
import { stepsOf, type CaseSnapshot } from './snapshot.js';

/*
 * What an event's payload must be, beyond the machine's own rules: its zod schema, and the
 * checks against the programme it is sent in (the idea template's questions, the
 * programme's years and municipalities, the people of the programme). Each event type
 * that needs more than its schema has its branch here, and nowhere else.
 */

export interface EventRuleDeps {
  programme: (id: string) => ProgrammeConfig | undefined;
  ideaTemplate: (programmeId: string) => IdeaTemplate | undefined;
  /** A field error when `year` is outside the programme's years. */
  yearsError: (config: ProgrammeConfig, year: number, path: string) => FieldError | undefined;
  /** The ids the programme's rules know (its areas). */
  programmeRulesOf: (programmeId: string) => { priorityAreaIds: string[] };
  /** Whether a user holds a role in the programme. */
  belongsTo: (userId: string, programmeId: string) => boolean;
}

const RHYTHM_MONTHS = { quarter: 3, 'half-year': 6, year: 12 } as const;

/** Follow-up dates every quarter, half-year or year from `from` up to and including `until`. */
export function rhythmDates(rhythm: { every: keyof typeof RHYTHM_MONTHS; from: string; until: string }): string[] {
  const [y, m, d] = rhythm.from.split('-').map(Number) as [number, number, number];
  const out: string[] = [];
  for (let i = 0; out.length <= 100; i += 1) {
    // Day-of-month is clamped so 31 January + 3 months is 30 April, not 1 May.
    const month = m - 1 + i * RHYTHM_MONTHS[rhythm.every];
    const last = new Date(Date.UTC(y, month + 1, 0)).getUTCDate();
    const date = new Date(Date.UTC(y, month, Math.min(d, last))).toISOString().slice(0, 10);
    if (date > rhythm.until) break;
    out.push(date);
  }
  return out;
}

export function createEventRules(deps: EventRuleDeps) {
  const invalid = (detail: string, errors: FieldError[]) => new DomainError('validation-failed', detail, { errors });

  return {
    /** Checks on where the case stands that say more than "not accepted" (before acceptance). */
    checkState(type: CaseEventType, snapshot: CaseSnapshot) {
      if ((type === 'RECORD_FOLLOW_UP' || type === 'SUBMIT_FOLLOW_UP_REPORT') && !snapshot.matches('running')) {
        throw new DomainError('case-not-running', 'a follow-up report needs a case that is running (steps 10–12)', {
          errors: [{ path: 'type', message: `the case stands at step ${stepsOf(snapshot).join(', ')}` }],
        });
      }
    },

    /** The payload as the machine will get it: parsed, checked against the programme, completed. */
    payloadOf(type: CaseEventType, payload: unknown, programmeId: string): unknown {
      const parsed = eventPayloads[type].safeParse(payload ?? {});
      if (!parsed.success) throw invalid(`the payload of ${type} is not valid`, fieldErrors(parsed.error.issues, 'payload'));
      const config = deps.programme(programmeId)!;
      switch (type) {
        case 'SUBMIT_IDEA_TEMPLATE': {
          const template = deps.ideaTemplate(programmeId)!;
          const answers = ideaAnswersSchema(template, config).safeParse((parsed.data as { answers: unknown }).answers);
          if (!answers.success) {
            throw invalid('the idea template is not filled in correctly', fieldErrors(answers.error.issues, 'payload.answers'));
          }
          return { answers: answers.data };
        }
        case 'UPDATE_PROPOSAL': {
          const proposal = parsed.data as PayloadOf<'UPDATE_PROPOSAL'>;
          const errors = (proposal.budget ?? [])
            .map((line, i) => deps.yearsError(config, line.year, `payload.budget.${i}.year`))
            .filter((e) => e !== undefined);
          (proposal.scope?.municipalities ?? []).forEach((m, i) => {
            // A programme that lists its municipalities accepts only those.
            if (config.municipalities.length > 0 && !config.municipalities.includes(m)) {
              errors.push({ path: `payload.scope.municipalities.${i}`, message: `${m} is not a municipality of the programme` });
            }
          });
          if (errors.length > 0) throw invalid('the proposal is not valid for this programme', errors);
          return parsed.data;
        }
        case 'RECORD_DECISION': {
          const decision = parsed.data as PayloadOf<'RECORD_DECISION'>;
          if (!decision.followUpRhythm) return decision;
          const dates = [...new Set([...(decision.followUpDates ?? []), ...rhythmDates(decision.followUpRhythm)])].sort();
          if (dates.length > 100) {
            throw invalid('too many follow-up dates', [
              { path: 'payload.followUpRhythm', message: `gives ${dates.length} dates; at most 100` },
            ]);
          }
          return { ...decision, followUpDates: dates };
        }
        case 'IMPORT_DECIDED': {
          const imported = parsed.data as PayloadOf<'IMPORT_DECIDED'>;
          const errors: FieldError[] = [];
          if (!deps.programmeRulesOf(programmeId).priorityAreaIds.includes(imported.priorityAreaId)) {
            errors.push({ path: 'payload.priorityAreaId', message: `${imported.priorityAreaId} is not an area of the programme` });
          }
          imported.grantedBudget.forEach((line, i) => {
            const outside = deps.yearsError(config, line.year, `payload.grantedBudget.${i}.year`);
            if (outside) errors.push(outside);
          });
          if (imported.endDate !== undefined && imported.endDate < imported.decisionDate) {
            errors.push({ path: 'payload.endDate', message: 'the end date is before the decision' });
          }
          if (errors.length > 0) throw invalid('the imported decision is not valid for this programme', errors);
          return { ...imported, followUpDates: [...new Set(imported.followUpDates)].sort() };
        }
        case 'ADD_PARTICIPANT': {
          const { userId } = parsed.data as PayloadOf<'ADD_PARTICIPANT'>;
          if (!deps.belongsTo(userId, programmeId)) {
            throw invalid('the participant must be a user of the same programme', [
              { path: 'payload.userId', message: 'no user with this id in the programme' },
            ]);
          }
          return parsed.data;
        }
        default:
          return parsed.data;
      }
    },
  };
}

export type EventRules = ReturnType<typeof createEventRules>;
