import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../../machines/roles.js';
import { requireRole } from '../../http/auth.js';
import type { PeopleAdmin } from '../../people/admin.js';
import { auditPageSchema, personListSchema, personSchema } from './answers.js';
import { answers } from './schemas.js';

export interface PeopleRouteDeps {
  peopleAdmin: PeopleAdmin;
}

const personParams = z.object({ id: z.uuid() }).strict();
const reason = z.string().trim().min(1).max(1000).describe('why: kept in the audit');

/** A programme's people, for its administrators, and the audit of what was done to accounts. */
export const peopleRoutes: FastifyPluginAsyncZod<PeopleRouteDeps> = async (app, { peopleAdmin }) => {
  const admin = requireRole('administrator');

  app.get(
    '/people',
    {
      schema: {
        tags: ['people'],
        summary: 'The people of the programmes the caller administers (or of one), by name; q finds a part of a name or address',
        querystring: z
          .object({
            programme: z.string().max(64).optional(),
            q: z.string().trim().min(1).max(200).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          })
          .strict(),
        response: answers({ 200: personListSchema }, 401, 403, 422),
      },
      preValidation: admin,
    },
    async (request) => peopleAdmin.list(request.actor!, request.query),
  );

  app.get(
    '/people/:id',
    {
      schema: {
        tags: ['people'],
        summary: 'One person of a programme the caller administers',
        params: personParams,
        response: answers({ 200: personSchema }, 401, 403, 404, 422),
      },
      preValidation: admin,
    },
    async (request) => peopleAdmin.get(request.actor!, request.params.id),
  );

  const act = (path: string, summary: string, run: (actorId: Parameters<PeopleAdmin['disable']>[0], id: string, why: string) => unknown) =>
    app.post(
      `/people/:id/${path}`,
      {
        schema: {
          tags: ['people'],
          summary,
          params: personParams,
          body: z.object({ reason }).strict(),
          response: answers({ 200: personSchema }, 401, 403, 404, 409, 422),
        },
        preValidation: admin,
      },
      async (request) => run(request.actor!, request.params.id, request.body.reason),
    );
  act('disable', 'Disable an account: its sessions end and its API tokens are revoked at once', (a, id, why) =>
    peopleAdmin.disable(a, id, why),
  );
  act('enable', 'Enable a disabled account again', (a, id, why) => peopleAdmin.enable(a, id, why));
  act('unlock', 'Lift the wait after too many failed log-ins, from every address', (a, id, why) => peopleAdmin.unlock(a, id, why));

  app.put(
    '/people/:id/roles',
    {
      schema: {
        tags: ['people'],
        summary: "Set a person's roles in a programme the caller administers (none: they leave it); a programme keeps an administrator",
        params: personParams,
        body: z.object({ programmeId: z.string().max(64), roles: z.array(z.enum(ROLES)).max(ROLES.length), reason }).strict(),
        response: answers({ 200: personSchema }, 401, 403, 404, 409, 422),
      },
      preValidation: admin,
    },
    async (request) =>
      peopleAdmin.setRoles(request.actor!, request.params.id, request.body.programmeId, request.body.roles, request.body.reason),
  );

  app.get(
    '/audit',
    {
      schema: {
        tags: ['people'],
        summary: 'What was done to the accounts of the programmes the caller administers: who, what, when, why; newest first',
        querystring: z
          .object({
            programme: z.string().max(64).optional(),
            person: z.uuid().optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(500).optional(),
          })
          .strict(),
        response: answers({ 200: auditPageSchema }, 401, 403, 404, 422),
      },
      preValidation: admin,
    },
    async (request) => peopleAdmin.audit(request.actor!, request.query),
  );
};
