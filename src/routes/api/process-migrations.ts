import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ProcessMigration } from '../../cases/migration.js';
import { requireActor } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import { processMigrationDoneSchema, processMigrationDryRunSchema, processVersionsSchema } from './answers.js';
import { answers, programmeParams } from './schemas.js';

export interface ProcessMigrationRouteDeps {
  processMigration: ProcessMigration;
}

const toVersion = z.coerce.number().int().min(1).max(1000);

/** The versions of the process, a dry run of moving a programme's running cases to one, and the move (its administrators). */
export const processMigrationRoutes: FastifyPluginAsyncZod<ProcessMigrationRouteDeps> = async (app, { processMigration }) => {
  app.get(
    '/programmes/:programmeId/process-migrations',
    {
      schema: {
        tags: ['programmes'],
        summary: "The versions of the process, with the programme's running cases on each (the programme's administrator)",
        params: programmeParams,
        response: answers({ 200: processVersionsSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request) => processMigration.versions(request.actor!, request.params.programmeId),
  );

  app.get(
    '/programmes/:programmeId/process-migrations/:toVersion',
    {
      schema: {
        tags: ['programmes'],
        summary: 'Dry run: every running case, where it is, where it would land on the version, or why it cannot move',
        description: 'Writes nothing. 404 when the process has no such version.',
        params: programmeParams.extend({ toVersion }).strict(),
        response: answers({ 200: processMigrationDryRunSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) =>
      processMigration.dryRun(request.actor!, request.params.programmeId, request.params.toVersion, requestLanguage(request)),
  );

  app.post(
    '/programmes/:programmeId/process-migrations',
    {
      schema: {
        tags: ['programmes'],
        summary: 'Move the chosen running cases to a later version of the process, all or nothing',
        description:
          'Each case is checked as the dry run checks it; if any cannot move, or has changed since the version given for it in ' +
          '`expectedVersions`, nothing is written and the answer is 409 with `cases`: each such case, its `reason` code and its ' +
          '`message` in words. Each case moved gets a new version and the event CASE_MIGRATED in its history. It cannot be undone.',
        params: programmeParams,
        body: z
          .object({
            toVersion: z.number().int().min(1).max(1000),
            caseIds: z.array(z.uuid()).min(1).max(10_000),
            expectedVersions: z
              .record(z.uuid(), z.number().int().min(1))
              .optional()
              .describe("case id → the case's version the dry run showed: a case that has moved on since is refused"),
          })
          .strict(),
        response: answers({ 200: processMigrationDoneSchema }, 401, 403, 404, 409, 422),
      },
      preValidation: requireActor,
    },
    async (request) => processMigration.migrate(request.actor!, request.params.programmeId, request.body, requestLanguage(request)),
  );
};
