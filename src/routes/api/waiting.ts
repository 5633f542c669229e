import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireActor } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import type { Waiting, WaitingItem } from '../../work/waiting.js';
import { waitingListSchema } from './answers.js';
import { answers } from './schemas.js';

export interface WaitingRouteDeps {
  waiting: Pick<Waiting, 'list'>;
}

/** The page where a waiting thing is done: its case, or the assignments of the plan. */
export const waitingHref = (item: WaitingItem) => (item.caseId ? `/cases/${item.caseId}` : '/plan#assignments');

/** What waits for the caller, in every programme they hold a role in. */
export const waitingRoutes: FastifyPluginAsyncZod<WaitingRouteDeps> = async (app, { waiting }) => {
  app.get(
    '/me/waiting',
    {
      schema: {
        tags: ['session'],
        summary: 'What waits for the caller: cases where one of their roles has the next move, comments to answer, open plan assignments',
        description:
          'Soonest due first (those without a due date last), then oldest first. An initiator gets the cases they own or take part in; the programme’s roles every case of their programme; those who record the plan its open assignments.',
        response: answers({ 200: waitingListSchema }, 401),
      },
      preValidation: requireActor,
    },
    async (request) => {
      const items = waiting.list(request.actor!, requestLanguage(request)).map((item) => ({ ...item, href: waitingHref(item) }));
      return { count: items.length, items };
    },
  );
};
