import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.js';
import { requireActor, requireRole } from '../../http/auth.js';
import { Problem } from '../../http/problem.js';
import { languageFrom, LANGUAGES, t } from '../../i18n/index.js';
import { COMMON_VARIABLES, NOTIFICATION_KINDS, NOTIFICATION_RULES, OPTIONAL_KINDS } from '../../notifications/rules.js';
import { errorResponses } from './schemas.js';

export const preferencesSchema = z
  .object({
    language: z.enum(LANGUAGES).optional(),
    mutedNotifications: z
      .array(z.enum(NOTIFICATION_KINDS as [string, ...string[]]))
      .max(NOTIFICATION_KINDS.length)
      .optional()
      .describe('informational kinds to turn off; kinds that require an action cannot be turned off'),
  })
  .strict();

export function notificationRoutes(app: FastifyInstance, services: Services) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/notifications/rules',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Who is told what: every notification, its triggers, recipients and whether it can be turned off',
        response: errorResponses(401),
      },
      preValidation: requireActor,
    },
    async (request) => {
      const lang = request.actor?.language ?? languageFrom(request.headers['accept-language']);
      return {
        commonVariables: COMMON_VARIABLES,
        rules: NOTIFICATION_RULES.map((rule) => ({
          ...rule,
          label: t(lang, `notifications.${rule.kind}`),
          canBeTurnedOff: !rule.mandatory,
        })),
      };
    },
  );

  api.get(
    '/api/me/preferences',
    { schema: { tags: ['session'], summary: 'Language and notification settings', response: errorResponses(401) }, preValidation: requireActor },
    async (request) => ({ ...services.people.preferences(request.actor!.id), optionalNotifications: OPTIONAL_KINDS }),
  );

  api.patch(
    '/api/me/preferences',
    {
      schema: {
        tags: ['session'],
        summary: 'Choose the language of pages and e-mail, and turn informational notifications off or on',
        body: preferencesSchema,
        response: errorResponses(401, 403, 422),
      },
      preValidation: requireActor,
    },
    async (request) => {
      const mandatory = (request.body.mutedNotifications ?? [])
        .map((kind, index) => ({ kind, index }))
        .filter(({ kind }) => !OPTIONAL_KINDS.includes(kind as never));
      if (mandatory.length > 0) {
        throw new Problem('validation-failed', 'messages that require an action cannot be turned off', {
          errors: mandatory.map(({ kind, index }) => ({
            path: `body.mutedNotifications.${index}`,
            message: `${kind} requires an action and cannot be turned off`,
          })),
        });
      }
      services.people.updatePreferences(request.actor!.id, request.body);
      return { ...services.people.preferences(request.actor!.id), optionalNotifications: OPTIONAL_KINDS };
    },
  );

  api.get(
    '/api/admin/outbox',
    {
      schema: {
        tags: ['notifications'],
        summary: "The programme's outgoing e-mail: pending, sent and failed messages, newest first",
        querystring: z
          .object({
            status: z.enum(['pending', 'sent', 'failed']).optional(),
            caseId: z.uuid().optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(500).optional(),
          })
          .strict(),
        response: errorResponses(401, 403, 422),
      },
      preValidation: requireRole('administrator'),
    },
    async (request) => services.outboxAdmin.list(request.actor!.programmeId, request.query),
  );

  api.post(
    '/api/admin/outbox/retry-failed',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send every failed message of the programme again now',
        response: errorResponses(401, 403),
      },
      preValidation: requireRole('administrator'),
    },
    async (request) => {
      const requeued = services.outboxAdmin.retryFailed(request.actor!.programmeId);
      services.relay.kick();
      return { requeued };
    },
  );

  api.post(
    '/api/admin/outbox/:id/retry',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send a failed or waiting message again now',
        params: z.object({ id: z.uuid() }).strict(),
        response: errorResponses(401, 403, 404, 409),
      },
      preValidation: requireRole('administrator'),
    },
    async (request) => {
      const message = services.outboxAdmin.retry(request.actor!.programmeId, request.params.id);
      services.relay.kick();
      return message;
    },
  );
}
