import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { SESSION_COOKIE, requireActor, setSessionCookie } from '../../http/auth.js';
import type { PeopleService } from '../../people/service.js';
import { meSchema, sessionSchema } from './answers.js';
import { answers, noContent } from './schemas.js';

export interface SessionRouteDeps {
  people: Pick<PeopleService, 'verifyPassword' | 'createSession' | 'endSession'>;
  sessionHours: number;
  cookieSecure: boolean;
}

/** What the API says of the logged-in user. */
const me = (request: FastifyRequest) => {
  const a = request.actor!;
  return { id: a.id, email: a.email, displayName: a.displayName, language: a.language, programmes: a.memberships };
};

/** Logging in and out over the API, and who is logged in. */
export const sessionRoutes: FastifyPluginAsyncZod<SessionRouteDeps> = async (app, { people, sessionHours, cookieSecure }) => {
  app.post(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with e-mail and password; sets an HttpOnly session cookie',
        body: z.object({ email: z.string().max(254), password: z.string().max(1024) }).strict(),
        response: answers({ 200: sessionSchema }, 401, 422),
      },
      config: { csrf: false },
    },
    async (request, reply) => {
      const actor = await people.verifyPassword(request.body.email, request.body.password);
      if (!actor) throw new DomainError('invalid-credentials');
      const session = people.createSession(actor.id, sessionHours);
      setSessionCookie(reply, session, sessionHours, cookieSecure);
      request.actor = actor;
      return { user: me(request), csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
    },
  );

  app.delete(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log out',
        response: answers({ 204: noContent('Logged out: the session cookie is cleared') }, 401),
      },
      config: { csrf: false },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) people.endSession(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/me',
    {
      schema: { tags: ['session'], summary: 'The logged-in user', response: answers({ 200: meSchema }, 401) },
      preValidation: requireActor,
    },
    async (request) => me(request),
  );
};
