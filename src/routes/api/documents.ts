import fs from 'node:fs';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withdrawSchema, type Documents } from '../../documents/service.js';
import { DomainError } from '../../errors.js';
import { requireActor } from '../../http/auth.js';
import { etagOf, parseIfMatch } from '../../http/conditional.js';
import { attachmentDisposition } from '../../http/download.js';
import { requestLanguage } from '../../http/language.js';
import type { Language } from '../../i18n/index.js';
import { documentListSchema, documentSchema } from './answers.js';
import { answers, caseIdParams } from './schemas.js';

export interface DocumentRouteDeps {
  documents: Documents;
}

const documentParams = caseIdParams.extend({ documentId: z.uuid() }).strict();

const optionalIfMatch = z
  .object({
    'if-match': z.string().max(40).optional().describe('the ETag of the case you looked at; when sent and stale the answer is 412'),
  })
  .passthrough();

/** The multipart form, as documented (it is read part by part, the file streamed to disk). */
const uploadBody = z
  .object({
    file: z
      .string()
      .meta({ format: 'binary' })
      .describe('the file: PDF, Word/Excel/PowerPoint (OOXML), OpenDocument, PNG, JPEG, plain text or CSV'),
    description: z.string().max(2000).optional().describe('why it is added'),
    replaces: z.uuid().optional().describe('the id of a current document of the case this one replaces'),
  })
  .strict();

/** The fields of the form besides the file, as sent. */
export interface UploadFields {
  description?: string;
  replaces?: string;
  _csrf?: string;
}

/** The multipart options of every route that takes a document (the API and the pages). */
export const documentMultipart = (maxBytes: number) => ({
  limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 16 * 1024, parts: 8, headerPairs: 50 },
  // The name as sent: it is only ever shown and handed back, never used as a path.
  preservePath: true,
  // A file over the limit is cut there: receiving it notices and refuses it as too large.
  throwFileSizeLimit: false,
});

/**
 * Reads a multipart upload: the fields, and the file streamed straight into the document
 * store (refused files leave nothing). `csrf`: the pages' forms carry their token as the field
 * `_csrf`, which must come before the file (the form puts it first). Gives the stored file, or
 * none when no file was sent.
 */
export async function readUpload(
  request: FastifyRequest,
  documents: Documents,
  lang: Language,
  o: { csrf: boolean; fields?: UploadFields },
) {
  if (!request.isMultipart()) throw new DomainError('unsupported-media-type', 'send the document as multipart/form-data');
  // The caller's, when given: a form shown again keeps what was written even if the file was refused.
  const fields: UploadFields = o.fields ?? {};
  let checked = !o.csrf || request.authMethod !== 'session';
  let stored: (Awaited<ReturnType<Documents['receive']>> & { fileName: string }) | undefined;
  let receiving = false;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === '_csrf' || part.fieldname === 'description' || part.fieldname === 'replaces') {
          fields[part.fieldname] = typeof part.value === 'string' ? part.value : String(part.value);
        }
        if (part.fieldname === '_csrf' && o.csrf && request.authMethod === 'session') {
          if (part.value !== request.csrfToken) throw new DomainError('csrf-token-invalid', 'the form has expired');
          checked = true;
        }
        continue;
      }
      if (part.fieldname !== 'file' || stored) {
        part.file.resume();
        continue;
      }
      if (!checked) throw new DomainError('csrf-token-invalid', 'the form has expired');
      receiving = true;
      const fileName = part.filename || 'dokument';
      // A browser sends an empty part when no file was chosen.
      stored = { ...(await documents.receive(part.file, fileName, lang, () => part.file.truncated)), fileName };
      receiving = false;
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // The body ended (or broke) in the middle of the file: nothing of it was kept.
    if (receiving) throw documents.refused('incomplete', lang);
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) throw new DomainError('payload-too-large', (error as Error).message);
    throw new DomainError('malformed-request', (error as Error).message);
  }
  if (!checked) throw new DomainError('csrf-token-invalid', 'the form has expired');
  return { fields, stored };
}

/** The fields besides the file, checked: the description's length and the replaced document's id. */
export function uploadInput(fields: UploadFields, lang: Language) {
  const replaces = fields.replaces?.trim() || undefined;
  if (replaces !== undefined && !z.uuid().safeParse(replaces).success) {
    throw new DomainError('validation-failed', 'replaces is not the id of a document', {
      errors: [{ path: 'replaces', message: lang === 'sv' ? 'inte ett dokuments id' : 'not the id of a document' }],
    });
  }
  return { description: fields.description, replaces };
}

/**
 * Documents on a case: the list, adding one (multipart), its file, and withdrawing one.
 * Whoever may see the case may list, download and add; the one who added a document, a county
 * coordinator or an administrator may replace or withdraw it. None is ever deleted.
 */
export const documentRoutes: FastifyPluginAsyncZod<DocumentRouteDeps> = async (app, { documents }) => {
  await app.register(fastifyMultipart, documentMultipart(documents.maxBytes));
  const maxMiB = Math.round((documents.maxBytes / 1024 / 1024) * 10) / 10;

  app.get(
    '/cases/:id/documents',
    {
      schema: {
        tags: ['documents'],
        summary: 'Every document on a case, oldest first: who added it, when, why, and whether it is current, replaced or withdrawn',
        params: caseIdParams,
        response: answers({ 200: documentListSchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const list = documents.list(request.actor!, request.params.id, requestLanguage(request));
      return reply.header('etag', etagOf(list.version)).send(list);
    },
  );

  app.post(
    '/cases/:id/documents',
    {
      schema: {
        tags: ['documents'],
        summary: 'Attach a document to a case (multipart/form-data), at any step; with `replaces`, a newer one replacing a current one',
        description: [
          'Who: whoever may see the case; to replace, the one who added the replaced document, a county coordinator or an administrator (403 otherwise).',
          `The type is read from the content: PDF, OOXML and OpenDocument files, PNG, JPEG, and UTF-8 plain text or CSV. At most ${maxMiB} MiB (SATSA_DOCUMENT_MAX_BYTES).`,
          'Too large: 413; another type (a renamed program, say): 415; empty, not UTF-8 text, cut off, or no file: 422. Each names the field `file`; nothing is kept.',
          'If-Match is optional: when sent and stale, 412. Replacing a document that is not current: 409.',
        ].join(' '),
        params: caseIdParams,
        headers: optionalIfMatch,
        consumes: ['multipart/form-data'],
        body: uploadBody,
        response: answers({ 201: documentSchema }, 401, 403, 404, 409, 412, 413, 415, 422),
      },
      // The body is read as a stream in the handler: it is documented, not validated here. The
      // server's body limit holds for any other content type; a file's limit is the setting's.
      validatorCompiler: (route) =>
        route.httpPart === 'body'
          ? (data: unknown) => ({ value: data })
          : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]),
      preValidation: requireActor,
    },
    async (request, reply) => {
      const actor = request.actor!;
      const lang = requestLanguage(request);
      const caseId = request.params.id;
      const expectedVersion = request.headers['if-match'] === undefined ? undefined : parseIfMatch(request.headers['if-match']);
      // Before a byte is taken in: a case the caller may not see does not exist for them.
      documents.mayAdd(actor, caseId, expectedVersion);
      const { fields, stored } = await readUpload(request, documents, lang, { csrf: false });
      if (!stored) throw documents.refused('missing', lang);
      const input = uploadInput(fields, lang);
      const { document, version } = documents.record(actor, caseId, stored, { ...input, expectedVersion }, lang);
      return reply
        .code(201)
        .headers({ etag: etagOf(version), location: `/api/cases/${caseId}/documents/${document.id}/file` })
        .send(document);
    },
  );

  app.get(
    '/cases/:id/documents/:documentId/file',
    {
      schema: {
        tags: ['documents'],
        summary: "A document's file, to save: its bytes with its media type, named as it was sent",
        description: 'Who: whoever may see the case. Withdrawn and replaced documents stay downloadable: they are records.',
        params: documentParams,
        response: answers({ 200: z.string().describe('the file, with Content-Disposition: attachment') }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const { id, documentId } = request.params;
      const { document, path } = documents.file(request.actor!, id, documentId, requestLanguage(request));
      const text = document.mediaType.startsWith('text/');
      return reply
        .type(text ? `${document.mediaType}; charset=utf-8` : document.mediaType)
        .headers({
          'content-disposition': attachmentDisposition(document.fileName),
          'content-length': String(document.size),
          'x-content-type-options': 'nosniff',
          'cache-control': 'private, no-store',
        })
        .send(fs.createReadStream(path));
    },
  );

  app.post(
    '/cases/:id/documents/:documentId/withdraw',
    {
      schema: {
        tags: ['documents'],
        summary: 'Withdraw a document with a reason: it stays on the case and in its history, marked withdrawn',
        description:
          'Who: the one who added it, a county coordinator or an administrator of the programme (403 otherwise). 409 when it is already withdrawn or replaced; If-Match optional (412 when stale).',
        params: documentParams,
        headers: optionalIfMatch,
        body: withdrawSchema,
        response: answers({ 200: documentSchema }, 401, 403, 404, 409, 412, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const { id, documentId } = request.params;
      const expectedVersion = request.headers['if-match'] === undefined ? undefined : parseIfMatch(request.headers['if-match']);
      const { document, version } = documents.withdraw(
        request.actor!,
        id,
        documentId,
        request.body,
        requestLanguage(request),
        expectedVersion,
      );
      return reply.header('etag', etagOf(version)).send(document);
    },
  );
};
