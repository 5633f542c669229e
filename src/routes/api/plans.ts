import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth.js';
import { etagOf, parseIfMatch } from '../../http/conditional.js';
import { indicatorValueInputSchema, planDocumentInputSchema } from '../../plans/document.js';
import { adoptionSchema, assignmentStatusSchema, casePlanLinkSchema, type Plans } from '../../plans/service.js';
import {
  casePlanLinksSchema,
  planAssignmentStatusSchema,
  planDiffSchema,
  planDraftSchema,
  planIndicatorValuesSchema,
  planInForceSchema,
  planRevisionSchema,
  planVersionListSchema,
} from './answers.js';
import { answers, caseIdParams, programmeParams, ifMatchHeaders as ifMatchHeadersOf } from './schemas.js';

export interface PlanRouteDeps {
  plans: Plans;
}

const version = z.coerce.number().int().min(1).max(1_000_000);
const itemId = z.string().min(1).max(64);

const ifMatchHeaders = ifMatchHeadersOf('the ETag of the draft you saw, e.g. "3" ("0" to start a draft when there is none)');

const READ = "every role of the programme but initiators (403); another programme's people get 404";
const RECORD = "the programme's administrator, county coordinators and steering group";

/**
 * A programme's plan (versioning.md): the revision in force with what was measured and done
 * under it, earlier revisions, their differences, the draft of the next one and its adoption.
 */
export const planRoutes: FastifyPluginAsyncZod<PlanRouteDeps> = async (app, { plans }) => {
  app.get(
    '/programmes/:programmeId/plan',
    {
      schema: {
        tags: ['plans'],
        summary: 'The plan in force, with measured values, assignment statuses and linked cases',
        description: `Who: ${READ}. 404 before a plan is adopted.`,
        params: programmeParams,
        response: answers({ 200: planInForceSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const plan = plans.inForce(request.actor!, request.params.programmeId);
      return reply.header('etag', etagOf(plan.version)).send(plan);
    },
  );

  app.get(
    '/programmes/:programmeId/plan/versions',
    {
      schema: {
        tags: ['plans'],
        summary: 'Every adopted revision of the plan, oldest first, and when the next revision is due',
        description: `Who: ${READ}.`,
        params: programmeParams,
        response: answers({ 200: planVersionListSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request) => plans.versions(request.actor!, request.params.programmeId),
  );

  app.get(
    '/programmes/:programmeId/plan/versions/:version',
    {
      schema: {
        tags: ['plans'],
        summary: 'One adopted revision, as it was adopted',
        description: `Who: ${READ}.`,
        params: programmeParams.extend({ version }).strict(),
        response: answers({ 200: planRevisionSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => plans.version(request.actor!, request.params.programmeId, request.params.version),
  );

  app.get(
    '/programmes/:programmeId/plan/diff',
    {
      schema: {
        tags: ['plans'],
        summary: 'What changed between two adopted revisions: goals, indicators, rows and assignments added, removed and changed',
        description: `Who: ${READ}.`,
        params: programmeParams,
        querystring: z.object({ from: version, to: version }).strict(),
        response: answers({ 200: planDiffSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => plans.diff(request.actor!, request.params.programmeId, request.query.from, request.query.to),
  );

  app.get(
    '/programmes/:programmeId/plan/draft',
    {
      schema: {
        tags: ['plans'],
        summary: 'The draft of the next revision, with its counter as ETag (the programme’s administrator)',
        params: programmeParams,
        response: answers({ 200: planDraftSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const draft = plans.draft(request.actor!, request.params.programmeId);
      return reply.header('etag', etagOf(draft.draftCounter)).send(draft);
    },
  );

  app.put(
    '/programmes/:programmeId/plan/draft',
    {
      schema: {
        tags: ['plans'],
        summary: 'Save the draft of the next revision, replacing what it held (If-Match required)',
        description:
          "The programme's administrator. Goals, indicators, rows and assignments keep the ids they were read with; " +
          'new ones get ids made by the server (or ones given here). Dates may be written as the plan writes them ' +
          '("våren 2023", "hösten 2024", "2027", "Q3 2025") and are kept as ranges of days. Areas must be the programme’s. ' +
          '412 when If-Match is not the draft’s counter ("0" when there is no draft).',
        params: programmeParams,
        headers: ifMatchHeaders,
        body: planDocumentInputSchema,
        response: answers({ 200: planDraftSchema }, 401, 403, 404, 412, 422, 428),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const expected = parseIfMatch(request.headers['if-match']);
      const draft = plans.saveDraft(request.actor!, request.params.programmeId, expected, request.body);
      return reply.header('etag', etagOf(draft.draftCounter)).send(draft);
    },
  );

  app.post(
    '/programmes/:programmeId/plan/draft/adopt',
    {
      schema: {
        tags: ['plans'],
        summary: 'Adopt the draft: the body, decision reference and dates; it is frozen and in force (If-Match required)',
        description:
          "The programme's administrator. The decision date must be after the one of the plan in force, the next " +
          'revision after the decision. 404 when there is no draft; 412 when If-Match is not the draft’s counter.',
        params: programmeParams,
        headers: ifMatchHeaders,
        body: adoptionSchema,
        response: answers({ 200: planRevisionSchema }, 401, 403, 404, 412, 422, 428),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const expected = parseIfMatch(request.headers['if-match']);
      const revision = plans.adopt(request.actor!, request.params.programmeId, expected, request.body);
      return reply.header('etag', etagOf(revision.version)).send(revision);
    },
  );

  app.post(
    '/programmes/:programmeId/plan/indicators/:indicatorId/values',
    {
      schema: {
        tags: ['plans'],
        summary: 'Record a measured value of an indicator of the plan in force, for a year of the programme',
        description: `Who: ${RECORD}. The value is typed by the indicator: a number, a percentage (0–100), true/false, or a delivered document. Earlier values stay as history; the newest counts.`,
        params: programmeParams.extend({ indicatorId: itemId }).strict(),
        body: indicatorValueInputSchema,
        response: answers({ 200: planIndicatorValuesSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => plans.recordValue(request.actor!, request.params.programmeId, request.params.indicatorId, request.body),
  );

  app.post(
    '/programmes/:programmeId/plan/assignments/:assignmentId/status',
    {
      schema: {
        tags: ['plans'],
        summary: 'Change the status of an assignment of the plan in force, with a note',
        description: `Who: ${RECORD}.`,
        params: programmeParams.extend({ assignmentId: itemId }).strict(),
        body: assignmentStatusSchema,
        response: answers({ 200: planAssignmentStatusSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => plans.changeAssignmentStatus(request.actor!, request.params.programmeId, request.params.assignmentId, request.body),
  );

  app.get(
    '/cases/:id/plan-links',
    {
      schema: {
        tags: ['plans'],
        summary: "The goals and action-plan rows of its programme's plan a case is linked to now",
        description: `Who: the programme's roles except initiators.`,
        params: caseIdParams,
        response: answers({ 200: casePlanLinksSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request) => plans.caseLinksOf(request.actor!, request.params.id),
  );

  app.post(
    '/cases/:id/plan-links',
    {
      schema: {
        tags: ['plans'],
        summary: "Link a case to goals and action-plan rows of its programme's plan in force",
        description: `Who: ${RECORD}. Links already made stay as they are.`,
        params: caseIdParams,
        body: casePlanLinkSchema,
        response: answers({ 200: casePlanLinksSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => plans.linkCase(request.actor!, request.params.id, request.body),
  );

  app.delete(
    '/cases/:id/plan-links',
    {
      schema: {
        tags: ['plans'],
        summary: 'Undo links of a case to goals and action-plan rows (each must be linked now)',
        description: `Who: ${RECORD}. The link stays in the history.`,
        params: caseIdParams,
        body: casePlanLinkSchema,
        response: answers({ 200: casePlanLinksSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => plans.unlinkCase(request.actor!, request.params.id, request.body),
  );
};
