import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FORUM_ROLES, ROLES } from '../../machines/roles.js';
import type { ProgrammeRules } from '../../machines/case/context.js';
import { DomainError } from '../errors.js';
import { DEFAULT_BODY_NAMES, type BodyKey, type ProgrammeWords } from '../i18n/index.js';

export const templatesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

const label = z.object({ sv: z.string().min(1), en: z.string().min(1) }).strict();
const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/)
  .max(64);

export const ideaTemplateFieldSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-zA-Z][a-zA-Z0-9]*$/)
      .max(64),
    type: z.enum(['text', 'textarea', 'select', 'number', 'date', 'email']),
    required: z.boolean(),
    label,
    help: label.optional(),
    maxLength: z.number().int().positive().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** A fixed list, or "priorityAreas" for the programme's own taxonomy. */
    options: z.union([z.literal('priorityAreas'), z.array(z.object({ value: z.string(), label }).strict())]).optional(),
  })
  .strict();

export const ideaTemplateSchema = z
  .object({ id: slug, title: label, intro: label, fields: z.array(ideaTemplateFieldSchema).min(1) })
  .strict();
export type IdeaTemplate = z.infer<typeof ideaTemplateSchema>;

/** Roles without which a case cannot get through the twelve steps, or money be set up. */
const PROCESS_ROLES = [
  'initiator',
  'county-coordinator',
  'coordination-group',
  'lsvo-secretary',
  'regional-director',
  'steering-group',
  'administrator',
] as const;

/** How a body is named in running text: as the subject, and in the genitive (LSVO, LSVO:s). */
const bodyName = z.object({ name: z.string().trim().min(1).max(100), genitive: z.string().trim().min(1).max(100) }).strict();
const body = (key: BodyKey) => z.object({ sv: bodyName, en: bodyName }).strict().prefault(DEFAULT_BODY_NAMES[key]);

/**
 * The names of the bodies that act in the process, as the programme calls them: labels
 * only (who does what stays in the machine). Written in lower case as they stand inside a
 * sentence; a sentence that begins with one capitalises it. The defaults are Blekinge's.
 */
export const bodiesSchema = z
  .object({
    /** Those who receive ideas and advance cases (step 2 on). */
    coordinators: body('coordinators'),
    /** The group that reviews an idea before the dialogue forum (step 4). */
    coordinationGroup: body('coordinationGroup'),
    /** The body that recommends (steps 9 and 12). */
    recommender: body('recommender'),
    /** The one who decides (steps 9 and 12). */
    decider: body('decider'),
    /** The steering group that follows the programme. */
    steeringGroup: body('steeringGroup'),
  })
  .strict()
  .prefault({});
export type Bodies = z.infer<typeof bodiesSchema>;

const area = z.object({ id: slug, label, description: label.optional(), guidingQuestions: z.array(label).optional() }).strict();

/** The reference of the decision (gallringsbeslut) a retention rule rests on, e.g. "RS 2025/311". */
const retentionDecision = z.string().trim().min(1).max(200);

export const programmeConfigSchema = z
  .object({
    id: slug,
    diaryPrefix: z.string().regex(/^[A-ZÅÄÖ]{2,8}$/),
    name: label,
    organisation: label,
    mailbox: z.email(),
    ideaTemplate: slug,
    /**
     * The idea template as changed in the browser: kept in the programme's version, so each
     * version has its own. Without it, the file templates/idea/<ideaTemplate>.json is used.
     */
    ideaTemplateContent: ideaTemplateSchema.optional(),
    /** What the programme calls its priority areas: fokusområde, målområde, prioriterat område … */
    taxonomy: label.prefault({ sv: 'Prioriterat område', en: 'Priority area' }),
    /** The programme's own taxonomy: areas, each with optional sub-areas (one level). */
    priorityAreas: z.array(area.extend({ subAreas: z.array(area).optional() }).strict()).min(1),
    /** The years the programme runs and reports on; budget lines and pools must fall inside. */
    years: z
      .object({ first: z.number().int().min(2000).max(2100), last: z.number().int().min(2000).max(2100) })
      .strict()
      .refine((y) => y.last >= y.first, { message: 'last must not be before first', path: ['last'] })
      .prefault({ first: 2024, last: 2030 }),
    /**
     * E-mail domains from which initiators may register themselves (a work address confirmed
     * by a link); none: only invited people get in.
     */
    registrationDomains: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a domain such as regionblekinge.se'),
      )
      .max(200)
      .prefault([]),
    /** Municipalities an initiative can be scoped to (sub-regional or local). */
    municipalities: z.array(z.string().trim().min(1).max(100)).max(400).prefault([]),
    /** The roles this programme uses; the others are not offered for its users. */
    roles: z
      .array(z.enum(ROLES))
      .prefault([...ROLES])
      .refine((roles) => PROCESS_ROLES.every((r) => roles.includes(r)), {
        message: `the process needs at least these roles: ${PROCESS_ROLES.join(', ')}`,
      }),
    /** The programme's own names for the bodies of the process. */
    bodies: bodiesSchema,
    /** The programme's own names for roles, where they differ from the usual ones. */
    roleLabels: z.partialRecord(z.enum(ROLES), label).prefault({}),
    criteria: z.array(z.object({ id: slug, label }).strict()).min(1),
    forumRequiredRoles: z.array(z.enum(FORUM_ROLES)),
    /** Durable deadlines (declared in machines/case/deadlines.ts, computed in src/scheduler/deadlines.ts), in whole days. */
    deadlines: z
      .object({
        /** Remind the coordinators when a submitted idea has had no response this long. */
        ideaResponseDays: z.number().int().min(1).max(365).default(10),
        /** Remind those who report this many days before a follow-up report is due. */
        followUpReminderDays: z.number().int().min(0).max(365).default(14),
        /** Escalate to the county coordinators this many days after a missed follow-up date. */
        followUpGraceDays: z.number().int().min(0).max(365).default(1),
        /** Remind the mailbox and the county coordinators this many days before a plan assignment's due date ends (src/plans/deadlines.ts). */
        assignmentReminderDays: z.number().int().min(0).max(365).default(14),
        /** Escalate to the steering group too this many days after a plan assignment's due date has ended. */
        assignmentGraceDays: z.number().int().min(0).max(365).default(1),
      })
      .strict()
      .prefault({}),
    /**
     * Delivery to the e-archive as E-ARK SIP packages (src/archive): the records creator
     * (arkivbildare) and the code of the classification structure the programme's cases are
     * filed under. Without it, no case can be delivered.
     */
    archive: z
      .object({
        recordsCreator: z
          .object({
            name: z.string().trim().min(1).max(200),
            /** The Swedish organisation number, NNNNNN-NNNN. */
            organisationNumber: z
              .string()
              .regex(/^\d{6}-\d{4}$/, 'an organisation number such as 232100-0057')
              .optional(),
          })
          .strict(),
        /** The process's code in the records creator's classification structure (klassificeringsstruktur), e.g. 2.4.1. */
        classificationCode: z.string().trim().min(1).max(50),
        /**
         * A case's record is kept as it is until it has been delivered to the e-archive: no erasure
         * touches a case before that (and none touches a running case at all).
         */
        keepUntilDelivered: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /**
     * Retention rules (gallring), each resting on a decision whose reference is given: what is
     * removed when (src/retention, run by the scheduler). A rule left out removes nothing.
     */
    retention: z
      .object({
        /** Sent e-mails (the outbox's rows and the files of the embedded mail store) this many days after sending. */
        sentMail: z
          .object({ days: z.number().int().min(1).max(3650), decision: retentionDecision })
          .strict()
          .optional(),
        /** Closed cases' personal data pseudonymised this many years after closing (after delivery to the archive, when `afterDelivery`). */
        closedCases: z
          .object({
            years: z.number().int().min(1).max(100),
            decision: retentionDecision,
            afterDelivery: z.boolean().default(true),
          })
          .strict()
          .optional(),
        /** Records of log-ins (sessions, failed attempts) this many months after they ended. */
        logins: z
          .object({ months: z.number().int().min(1).max(120), decision: retentionDecision })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type ProgrammeConfig = z.infer<typeof programmeConfigSchema>;

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Loads and validates a programme definition from templates/programmes/<id>.json. */
export function loadProgrammeDefinition(id: string): ProgrammeConfig {
  const file = path.join(templatesDir, 'programmes', `${id}.json`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id) || !fs.existsSync(file)) {
    throw new DomainError('not-found', `no programme definition templates/programmes/${id}.json`);
  }
  return programmeConfigSchema.parse(readJson(file));
}

/** The programme definitions in templates/programmes, by id and name (for the first start's set-up). */
export function programmeDefinitions(): { id: string; name: ProgrammeConfig['name'] }[] {
  return fs
    .readdirSync(path.join(templatesDir, 'programmes'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => loadProgrammeDefinition(f.replace(/\.json$/, '')))
    .map((c) => ({ id: c.id, name: c.name }));
}

const ideaTemplates = new Map<string, IdeaTemplate>();

/** Loads (once) and validates an idea template from templates/idea/<id>.json. */
export function loadIdeaTemplate(id: string): IdeaTemplate {
  let template = ideaTemplates.get(id);
  if (!template) {
    template = ideaTemplateSchema.parse(readJson(path.join(templatesDir, 'idea', `${id}.json`)));
    ideaTemplates.set(id, template);
  }
  return template;
}

/** Every area and sub-area, flattened; a sub-area carries the id of its parent. */
export function allAreas(config: ProgrammeConfig) {
  return config.priorityAreas.flatMap((a) => [
    { id: a.id, label: a.label, parentId: undefined as string | undefined, guidingQuestions: a.guidingQuestions },
    ...(a.subAreas ?? []).map((s) => ({ id: s.id, label: s.label, parentId: a.id, guidingQuestions: s.guidingQuestions })),
  ]);
}

export function programmeRules(config: ProgrammeConfig): ProgrammeRules {
  return {
    priorityAreaIds: allAreas(config).map((a) => a.id),
    criterionIds: config.criteria.map((c) => c.id),
    forumRequiredRoles: config.forumRequiredRoles,
  };
}

/**
 * A zod schema for answers to an idea template: each field typed, required ones
 * present, unknown fields rejected, so every failing field is reported at once.
 */
export function ideaAnswersSchema(template: IdeaTemplate, config: ProgrammeConfig) {
  const shape: Record<string, z.ZodType> = {};
  for (const field of template.fields) {
    let schema: z.ZodType;
    switch (field.type) {
      case 'number': {
        let n = z.number().finite();
        if (field.min !== undefined) n = n.min(field.min);
        if (field.max !== undefined) n = n.max(field.max);
        schema = n;
        break;
      }
      case 'date':
        schema = z.iso.date();
        break;
      case 'email':
        schema = z.email().max(254);
        break;
      case 'select': {
        const values = field.options === 'priorityAreas' ? allAreas(config).map((a) => a.id) : (field.options ?? []).map((o) => o.value);
        schema = z.enum(values as [string, ...string[]]);
        break;
      }
      default:
        schema = z
          .string()
          .trim()
          .min(1)
          .max(field.maxLength ?? 10_000);
    }
    shape[field.id] = field.required ? schema : schema.optional();
  }
  return z.object(shape).strict();
}

/** What the programme calls its bodies and roles, for the texts written while working in it. */
export const wordsOf = (config: ProgrammeConfig): ProgrammeWords => ({ bodies: config.bodies, roleLabels: config.roleLabels });
