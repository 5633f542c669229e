import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { SESSION_COOKIE, requireActor, setSessionCookie } from '../../http/auth.js';
import { Problem } from '../../http/problem.js';
import type { PeopleService } from '../../people/service.js';
import { errorResponses } from './schemas.js';

export function sessionRoutes(app: FastifyInstance, people: PeopleService, config: Config) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  const me = (request: { actor?: import('../../people/service.js').Actor }) => {
    const a = request.actor!;
    return { id: a.id, email: a.email, displayName: a.displayName, programmeId: a.programmeId, roles: a.roles, language: a.language };
  };

  api.post(
    '/api/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with e-mail and password; sets an HttpOnly session cookie',
        body: z.object({ email: z.string().max(254), password: z.string().max(1024) }).strict(),
        response: errorResponses(401, 422),
      },
      config: { csrf: false },
    },
    async (request, reply) => {
      const actor = await people.verifyPassword(request.body.email, request.body.password);
      if (!actor) throw new Problem('invalid-credentials');
      const session = people.createSession(actor.id, config.SATSA_SESSION_HOURS);
      setSessionCookie(reply, session, config.SATSA_SESSION_HOURS, config.SATSA_COOKIE_SECURE);
      request.actor = actor;
      return { user: me(request), csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
    },
  );

  api.delete(
    '/api/session',
    { schema: { tags: ['session'], summary: 'Log out', response: errorResponses(401) }, config: { csrf: false } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) people.endSession(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  api.get(
    '/api/me',
    { schema: { tags: ['session'], summary: 'The logged-in user', response: errorResponses(401) }, preValidation: requireActor },
    async (request) => me(request),
  );
}
