import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deliveryRequestSchema, type Archive } from '../../archive/service.js';
import { requireActor } from '../../http/auth.js';
import { attachmentDisposition } from '../../http/download.js';
import { requestLanguage } from '../../http/language.js';
import { archiveDeliveryListSchema } from './answers.js';
import { answers, caseIdParams, programmeParams } from './schemas.js';

export interface ArchiveRouteDeps {
  archive: Archive;
}

const zipAnswer = (what: string) =>
  z
    .string()
    .meta({ format: 'binary' })
    .describe(`${what}: application/zip, with Content-Disposition: attachment; one root folder named by the package id (E-ARK CSIPSTR1)`);

/** A zip to save, never to show. */
function zipHeaders(reply: FastifyReply, name: string) {
  return reply.type('application/zip').headers({
    'content-disposition': attachmentDisposition(name),
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  });
}

/**
 * Delivery of closed cases to the e-archive as E-ARK SIP packages, for the programme's
 * administrator. A download of a case's package is a look and records nothing; a delivery
 * (POST …/archive-deliveries) makes and keeps one package per case and records it on the case.
 */
export const archiveRoutes: FastifyPluginAsyncZod<ArchiveRouteDeps> = async (app, { archive }) => {
  app.get(
    '/cases/:id/archive-package',
    {
      schema: {
        tags: ['archive'],
        summary:
          "A closed case's E-ARK SIP package, to look at: made now, recorded nowhere (a delivery is POST /api/programmes/{programmeId}/archive-deliveries)",
        description:
          "Who: the administrator of the case's programme (403 otherwise). A running case, or a programme without archive settings: 409 (`reason` case-running or no-archive-settings).",
        params: caseIdParams,
        response: answers({ 200: zipAnswer('the package') }, 401, 403, 404, 409, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const made = await archive.package(request.actor!, request.params.id, requestLanguage(request));
      const body = new PassThrough();
      // The zip is streamed as it is written; a failure half-way breaks the download off.
      made.write(body).catch((error: unknown) => {
        request.log.error({ err: error }, 'the archive package could not be written');
        body.destroy(error as Error);
      });
      return zipHeaders(reply, made.packageName).send(body);
    },
  );

  app.post(
    '/programmes/:programmeId/archive-deliveries',
    {
      schema: {
        tags: ['archive'],
        summary: 'Deliver closed cases to the e-archive: `{ caseIds }`, or `{ year }` for every case of the programme closed that year',
        description: [
          'One E-ARK SIP package (one zip) per case, kept by Satsa; each is recorded as a delivery (its SHA-256 and size) and as the event ARCHIVE_DELIVERED on its case.',
          "A delivery is the act the programme's keepUntilDelivered and the retention rule after delivery rely on.",
          "Who: the programme's administrator (403 otherwise). Any running case among `caseIds`, or a programme without archive settings: 409 before anything is made (`reason` case-running or no-archive-settings).",
          'A case changed while its package was made: 412, and that case is not delivered.',
        ].join(' '),
        params: programmeParams,
        body: deliveryRequestSchema,
        response: answers({ 201: archiveDeliveryListSchema }, 401, 403, 404, 409, 412, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const result = await archive.deliver(request.actor!, request.params.programmeId, request.body, requestLanguage(request));
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/programmes/:programmeId/archive-deliveries',
    {
      schema: {
        tags: ['archive'],
        summary: 'What was delivered to the e-archive, newest first: when, which case, the package and its checksum',
        description: "Who: the programme's administrator (403 otherwise).",
        params: programmeParams,
        response: answers({ 200: archiveDeliveryListSchema }, 401, 403, 404),
      },
      preValidation: requireActor,
    },
    async (request) => archive.deliveries(request.actor!, request.params.programmeId),
  );

  app.get(
    '/programmes/:programmeId/archive-deliveries/:deliveryId/package',
    {
      schema: {
        tags: ['archive'],
        summary: 'A delivered package, byte for byte as it was delivered (its SHA-256 is the delivery’s)',
        description: "Who: the programme's administrator (403 otherwise).",
        params: programmeParams.extend({ deliveryId: z.uuid() }).strict(),
        response: answers({ 200: zipAnswer('the delivered package') }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const file = archive.deliveredFile(request.actor!, request.params.programmeId, request.params.deliveryId);
      return zipHeaders(reply, file.packageName).header('content-length', String(file.size)).send(fs.createReadStream(file.path));
    },
  );
};
