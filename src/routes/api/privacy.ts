import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth.js';
import type { Privacy } from '../../privacy/service.js';
import { erasurePreviewSchema, erasureSchema, personDataSchema } from './answers.js';
import { answers } from './schemas.js';

export interface PrivacyRouteDeps {
  privacy: Privacy;
}

const personParams = z.object({ id: z.uuid() }).strict();

/**
 * A person's data (src/privacy): their own export; a programme's administrators' (within
 * their programme) and a system administrator's export and erasure of anyone's.
 */
export const privacyRoutes: FastifyPluginAsyncZod<PrivacyRouteDeps> = async (app, { privacy }) => {
  app.get(
    '/me/data',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Everything Satsa holds about the caller (GDPR articles 15 and 20), as one JSON document',
        response: answers({ 200: personDataSchema }, 401),
      },
      preValidation: requireActor,
    },
    async (request) => privacy.exportPerson(request.actor!, request.actor!.id),
  );

  app.get(
    '/people/:id/data',
    {
      schema: {
        tags: ['privacy'],
        summary:
          "Everything Satsa holds about a person: a programme's administrator sees what their programme holds, a system administrator everything",
        params: personParams,
        response: answers({ 200: personDataSchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => privacy.exportPerson(request.actor!, request.params.id),
  );

  app.get(
    '/people/:id/erasure',
    {
      schema: {
        tags: ['privacy'],
        summary: 'What erasing a person would change, and which of their cases the archive rules say must be kept as they are',
        params: personParams,
        response: answers({ 200: erasurePreviewSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => privacy.erasurePreview(request.actor!, request.params.id),
  );

  app.post(
    '/people/:id/erasure',
    {
      schema: {
        tags: ['privacy'],
        summary:
          'Erase a person, keeping the record: their account becomes a pseudonym, what they wrote becomes unreadable, every case they were on is read anew from its log. Refused (409) while the archive rules say a case of theirs must be kept as it is',
        params: personParams,
        body: z.object({ reason: z.string().trim().min(1).max(1000).describe('why: kept in the audit') }).strict(),
        response: answers({ 200: erasureSchema }, 401, 403, 404, 409, 422),
      },
      preValidation: requireActor,
    },
    async (request) => privacy.erase(request.actor!, request.params.id, request.body.reason),
  );
};
