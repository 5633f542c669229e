import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor, requireRole } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import { LANGUAGES, t } from '../../i18n/index.js';
import type { OutboxAdmin } from '../../mail/outbox.js';
import { programmesWhere } from '../../people/actor.js';
import type { Relay } from '../../mail/relay.js';
import type { Preferences } from '../../notifications/preferences.js';
import { PLAN_COMMON_VARIABLES, PLAN_MESSAGE_KINDS, PLAN_MESSAGES } from '../../notifications/plan-messages.js';
import { COMMON_VARIABLES, NOTIFICATION_KINDS, NOTIFICATION_RULES } from '../../notifications/rules.js';
import {
  notificationRulesSchema,
  outboxMessageSchema,
  outboxPageSchema,
  outboxRequeuedSchema,
  preferencesSchema as preferencesAnswer,
} from './answers.js';
import { answers } from './schemas.js';

export interface NotificationRouteDeps {
  preferences: Preferences;
  outboxAdmin: OutboxAdmin;
  relay: Pick<Relay, 'kick'>;
}

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

/** The programmes whose outbox the caller administers: all of them, or the one asked for (if theirs). */
function administered(request: FastifyRequest, programme?: string): string[] {
  const own = programmesWhere(request.actor!, 'administrator');
  return programme === undefined ? own : own.filter((p) => p === programme);
}

/** Who is told what, each person's notification settings, and the administrator's outbox. */
export const notificationRoutes: FastifyPluginAsyncZod<NotificationRouteDeps> = async (app, { preferences, outboxAdmin, relay }) => {
  app.get(
    '/notifications/rules',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Who is told what: every notification, its triggers, recipients and whether it can be turned off',
        response: answers({ 200: notificationRulesSchema }, 401),
      },
      preValidation: requireActor,
    },
    async (request) => {
      const lang = requestLanguage(request);
      return {
        commonVariables: COMMON_VARIABLES,
        planCommonVariables: PLAN_COMMON_VARIABLES,
        rules: [
          ...NOTIFICATION_RULES.map((rule) => ({
            ...rule,
            about: 'case' as const,
            label: t(lang, `notifications.${rule.kind}`),
            canBeTurnedOff: !rule.mandatory,
          })),
          ...PLAN_MESSAGE_KINDS.map((kind) => ({
            kind,
            about: 'plan' as const,
            label: t(lang, `notifications.${kind}`),
            on: [{ assignmentTimer: PLAN_MESSAGES[kind].timer }],
            to: PLAN_MESSAGES[kind].to,
            mandatory: true,
            canBeTurnedOff: false,
            variables: PLAN_MESSAGES[kind].variables,
          })),
        ],
      };
    },
  );

  app.get(
    '/me/preferences',
    {
      schema: { tags: ['session'], summary: 'Language and notification settings', response: answers({ 200: preferencesAnswer }, 401) },
      preValidation: requireActor,
    },
    async (request) => preferences.get(request.actor!.id),
  );

  app.patch(
    '/me/preferences',
    {
      schema: {
        tags: ['session'],
        summary: 'Choose the language of pages and e-mail, and turn informational notifications off or on',
        body: preferencesSchema,
        response: answers({ 200: preferencesAnswer }, 401, 403, 422),
      },
      preValidation: requireActor,
    },
    async (request) => preferences.change(request.actor!.id, request.body),
  );

  app.get(
    '/admin/outbox',
    {
      schema: {
        tags: ['notifications'],
        summary: "The programme's outgoing e-mail: pending, sent and failed messages, newest first",
        querystring: z
          .object({
            programme: z.string().max(64).optional().describe('one programme the caller administers; all of them when left out'),
            status: z.enum(['pending', 'sent', 'failed']).optional(),
            caseId: z.uuid().optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(500).optional(),
          })
          .strict(),
        response: answers({ 200: outboxPageSchema }, 401, 403, 422),
      },
      preValidation: requireRole('administrator'),
    },
    async (request) => outboxAdmin.list(administered(request, request.query.programme), request.query),
  );

  app.post(
    '/admin/outbox/retry-failed',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send every failed message of the programmes the caller administers again now',
        response: answers({ 200: outboxRequeuedSchema }, 401, 403),
      },
      preValidation: requireRole('administrator'),
    },
    async (request) => {
      const requeued = outboxAdmin.retryFailed(administered(request));
      relay.kick();
      return { requeued };
    },
  );

  app.post(
    '/admin/outbox/:id/retry',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send a failed or waiting message again now',
        params: z.object({ id: z.uuid() }).strict(),
        response: answers({ 200: outboxMessageSchema }, 401, 403, 404, 409),
      },
      preValidation: requireRole('administrator'),
    },
    async (request) => {
      const message = outboxAdmin.retry(administered(request), request.params.id);
      relay.kick();
      return message;
    },
  );
};
