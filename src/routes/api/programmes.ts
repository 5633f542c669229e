import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth.js';
import { etagOf, parseIfMatch } from '../../http/conditional.js';
import { programmeSettingsSchema, type createProgrammeAdmin } from '../../programmes/admin.js';
import { programmeChangeSchema, programmeVersionListSchema, programmeVersionSchema } from './answers.js';
import { answers, programmeParams, ifMatchHeaders as ifMatchHeadersOf } from './schemas.js';

export interface ProgrammeRouteDeps {
  programmeAdmin: ReturnType<typeof createProgrammeAdmin>;
}

const ifMatchHeaders = ifMatchHeadersOf('the ETag of the settings you changed, e.g. "3"');

/** A programme's settings, changed by its administrator: each change a new version. */
export const programmeRoutes: FastifyPluginAsyncZod<ProgrammeRouteDeps> = async (app, { programmeAdmin }) => {
  app.get(
    '/programmes/:programmeId/settings',
    {
      schema: {
        tags: ['programmes'],
        summary: "The programme's settings in force, with their version as ETag (the programme's administrator)",
        params: programmeParams,
        response: answers({ 200: programmeVersionSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const view = programmeAdmin.settings(request.actor!, request.params.programmeId);
      return reply.header('etag', etagOf(view.version)).send(view);
    },
  );

  app.put(
    '/programmes/:programmeId/settings',
    {
      schema: {
        tags: ['programmes'],
        summary: 'Change the settings: a new version, in force at once (If-Match required)',
        description:
          "Everything but the programme's id and diary prefix. Cases keep the version they were answered under; " +
          'when the deadlines change, running cases get theirs computed anew (each such case gets a new version). ' +
          'Settings equal to those in force make no version. 412 when If-Match is not the version in force.',
        params: programmeParams,
        headers: ifMatchHeaders,
        body: programmeSettingsSchema,
        response: answers({ 200: programmeChangeSchema }, 401, 403, 404, 412, 422, 428),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const expected = parseIfMatch(request.headers['if-match']);
      const change = programmeAdmin.change(request.actor!, request.params.programmeId, expected, request.body);
      return reply.header('etag', etagOf(change.version)).send(change);
    },
  );

  app.get(
    '/programmes/:programmeId/settings/versions',
    {
      schema: {
        tags: ['programmes'],
        summary: 'Every version of the settings, oldest first, with what each changed',
        params: programmeParams,
        response: answers({ 200: programmeVersionListSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request) => ({ items: programmeAdmin.versions(request.actor!, request.params.programmeId) }),
  );

  app.get(
    '/programmes/:programmeId/settings/versions/:version',
    {
      schema: {
        tags: ['programmes'],
        summary: 'One version of the settings, as it was',
        params: programmeParams.extend({ version: z.coerce.number().int().min(1).max(1_000_000) }).strict(),
        response: answers({ 200: programmeVersionSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => programmeAdmin.settings(request.actor!, request.params.programmeId, request.params.version),
  );
};
