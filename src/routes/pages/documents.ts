import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CaseService } from '../../cases/service.js';
import type { Documents } from '../../documents/service.js';
import { DomainError } from '../../errors.js';
import { STATUS_OF } from '../../http/problem.js';
import { requestLanguage } from '../../http/language.js';
import { t } from '../../i18n/index.js';
import { firstText } from '../../web/forms.js';
import { uploadPage, withdrawPage } from '../../web/documents.js';
import { documentMultipart, readUpload, uploadInput, type UploadFields } from '../api/documents.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * Documents as pages: the case page lists them and has the upload form (src/web/documents.ts);
 * here the form is received (multipart, accepted by this route only; its CSRF token is the
 * first field), shown again with an error summary when the file is refused, and a document is
 * withdrawn after a page that warns it cannot be undone and asks why.
 */

export interface DocumentPageDeps {
  documents: Documents;
  cases: Pick<CaseService, 'get'>;
}

function paramsOf(request: FastifyRequest) {
  const params = z.object({ id: z.uuid(), documentId: z.uuid().optional() }).safeParse(request.params);
  if (!params.success) throw new DomainError('not-found', 'no such page');
  return params.data;
}

/** The message a refused form shows at the field it names (the file, or the description). */
function fieldError(error: DomainError, path: string) {
  return error.details.errors?.find((e) => e.path === path)?.message;
}

export const documentPages: FastifyPluginAsync<DocumentPageDeps> = async (pages, { documents, cases }) => {
  await pages.register(fastifyMultipart, documentMultipart(documents.maxBytes));

  pages.get(
    '/cases/:id/documents/new',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const { id } = paramsOf(request);
      const lang = requestLanguage(request);
      const view = cases.get(actor, id, lang);
      const { title, body } = uploadPage(lang, {
        caseId: id,
        caseTitle: view.title,
        csrfToken: request.csrfToken ?? '',
        maxBytes: documents.maxBytes,
      });
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.post(
    '/cases/:id/documents',
    { schema: { hide: true }, config: { csrf: false } },
    loggedIn(async (request, reply, actor) => {
      const { id } = paramsOf(request);
      const lang = requestLanguage(request);
      const view = cases.get(actor, id, lang);
      const fields: UploadFields = {};
      const again = (error: DomainError) => {
        const { title, body } = uploadPage(lang, {
          caseId: id,
          caseTitle: view.title,
          csrfToken: request.csrfToken ?? '',
          maxBytes: documents.maxBytes,
          error: fieldError(error, 'file'),
          description: fields.description,
          descriptionError: fieldError(error, 'description'),
        });
        return sendPage(request, reply, { title, body, status: STATUS_OF[error.code], path: `/cases/${id}/documents/new` });
      };
      try {
        const upload = await readUpload(request, documents, lang, { csrf: true, fields });
        if (!upload.stored) return again(documents.refused('missing', lang));
        documents.record(actor, id, upload.stored, uploadInput(fields, lang), lang);
      } catch (error) {
        if (error instanceof DomainError && (fieldError(error, 'file') || fieldError(error, 'description'))) return again(error);
        throw error;
      }
      return reply.redirect(`/cases/${id}?done=document-added#documents`, 303);
    }),
  );

  const withdrawal = (request: FastifyRequest) => {
    const { id, documentId } = paramsOf(request);
    const lang = requestLanguage(request);
    const actor = request.actor!;
    const view = cases.get(actor, id, lang);
    const found = documents.get(actor, id, documentId!, lang);
    return { id, lang, view, ...found };
  };

  pages.get(
    '/cases/:id/documents/:documentId/withdraw',
    { schema: { hide: true } },
    loggedIn((request, reply) => {
      const { id, lang, view, document, mayChange } = withdrawal(request);
      if (!mayChange) return errorPage(request, reply, 403);
      if (document.status !== 'current') return errorPage(request, reply, 409, t(lang, `documents.errors.already-${document.status}`));
      const { title, body } = withdrawPage(lang, { caseId: id, caseTitle: view.title, csrfToken: request.csrfToken ?? '', document });
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.post(
    '/cases/:id/documents/:documentId/withdraw',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const { id, lang, view, document, mayChange } = withdrawal(request);
      if (!mayChange) return errorPage(request, reply, 403);
      if (document.status !== 'current') return errorPage(request, reply, 409, t(lang, `documents.errors.already-${document.status}`));
      const reason = firstText((request.body as Record<string, unknown> | undefined)?.reason);
      try {
        documents.withdraw(actor, id, document.id, { reason }, lang);
      } catch (error) {
        const message = error instanceof DomainError ? fieldError(error, 'reason') : undefined;
        if (!message) throw error;
        const { title, body } = withdrawPage(lang, {
          caseId: id,
          caseTitle: view.title,
          csrfToken: request.csrfToken ?? '',
          document,
          reason,
          error: message,
        });
        return sendPage(request, reply, { title, body, status: 422 });
      }
      return reply.redirect(`/cases/${id}?done=document-withdrawn#documents`, 303);
    }),
  );
};
