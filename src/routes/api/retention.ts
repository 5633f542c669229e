import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireActor } from '../../http/auth.js';
import type { Retention } from '../../retention/service.js';
import { retentionRunResultSchema, retentionSchema } from './answers.js';
import { answers, programmeParams } from './schemas.js';

export interface RetentionRouteDeps {
  retention: Retention;
}

/** A programme's retention rules (gallring), their recent runs, and a run now: its administrator's. */
export const retentionRoutes: FastifyPluginAsyncZod<RetentionRouteDeps> = async (app, { retention }) => {
  app.get(
    '/programmes/:programmeId/retention',
    {
      schema: {
        tags: ['programmes'],
        summary: 'The retention rules in force, each with its decision, and the recent runs (the programme’s administrator)',
        description:
          'The rules are part of the settings (PUT /api/programmes/{programmeId}/settings, `retention`); the scheduler runs them at start and once a day.',
        params: programmeParams,
        response: answers({ 200: retentionSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request) => retention.view(request.actor!, request.params.programmeId),
  );

  app.post(
    '/programmes/:programmeId/retention/run',
    {
      schema: {
        tags: ['programmes'],
        summary: 'Run the retention rules now (the programme’s administrator)',
        description:
          'Removes what the rules in force say is due, as the daily run would, and answers with the runs recorded: one per rule that removed anything.',
        params: programmeParams,
        response: answers({ 200: retentionRunResultSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request) => retention.runNow(request.actor!, request.params.programmeId),
  );
};
