import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { requireActor } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import { describePreview, placeOf, type DescribedPreview, type Imports } from '../../imports/index.js';
import { IMPORT_KINDS, type ImportKindId } from '../../imports/kind.js';
import { CSV_TYPE, formatOf, XLSX_TYPE } from '../../imports/table.js';
import { importPreviewSchema } from './answers.js';
import { answers, programmeParams } from './schemas.js';

export interface ImportRouteDeps {
  imports: Imports;
}

/** The largest file an import takes. */
export const IMPORT_BODY_LIMIT = 10 * 1024 * 1024;

const kindParams = programmeParams.extend({ kind: z.enum(IMPORT_KINDS).describe('what is imported: plan or initiatives') }).strict();

const WHO = "the programme's administrator (403 for its other roles; 404 for another programme's people or a kind not offered)";

/** A file with errors (or that cannot be read) is refused, listing every error by sheet, row and column; nothing is written. */
export function importRefused(preview: DescribedPreview, lang: 'sv' | 'en') {
  return new DomainError('validation-failed', 'the file cannot be imported: nothing was written', {
    errors: preview.errors.map((e) => ({
      path:
        e.row !== undefined
          ? `row.${e.row}${e.column !== undefined ? `.${e.column}` : ''}`
          : e.column !== undefined
            ? `column.${e.column}`
            : 'file',
      message: `${placeOf(lang, e)}: ${e.message}`,
    })),
    importErrors: preview.errors,
  });
}

/** The uploaded file: the raw body as text/csv or an Excel workbook. */
function fileOf(request: FastifyRequest): Buffer {
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if ((type !== CSV_TYPE && type !== XLSX_TYPE) || !Buffer.isBuffer(request.body)) {
    throw new DomainError('unsupported-media-type', `send the file as ${CSV_TYPE} or ${XLSX_TYPE}`);
  }
  return request.body;
}

/**
 * Imports from spreadsheets, the same way for every kind: a template to fill in, a dry run
 * that says what would be created and every error, and the all-or-nothing import.
 */
export const importRoutes: FastifyPluginAsyncZod<ImportRouteDeps> = async (app, { imports }) => {
  // The file is the body, as it is: only these routes read CSV and Excel.
  app.addContentTypeParser([CSV_TYPE, XLSX_TYPE], { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );

  app.get(
    '/programmes/:programmeId/imports/:kind/template',
    {
      schema: {
        tags: ['imports'],
        summary: 'The template to fill in: the columns (headers in the caller’s language) and an example row, as CSV or Excel',
        description: `Who: ${WHO}. ?format=csv (default) gives text/csv (UTF-8 with BOM, semicolons); ?format=xlsx an Excel workbook.`,
        params: kindParams,
        querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }).strict(),
        response: answers({ 200: z.string().describe('the template file (text/csv or an Excel workbook)') }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const { programmeId, kind } = request.params;
      const format = request.query.format;
      const file = await imports.template({ actor: request.actor!, programmeId }, kind, format, requestLanguage(request));
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
        .header('content-disposition', `attachment; filename="${programmeId}-${kind}.${format}"`)
        .send(file);
    },
  );

  app.post(
    '/programmes/:programmeId/imports/:kind',
    {
      // The parser of the spreadsheet types has the larger limit; any other body keeps the server's.
      schema: {
        tags: ['imports'],
        summary:
          'Import a filled-in template: a dry run (default) lists what would be created and every error; dryRun=false imports all or nothing',
        description: [
          `Who: ${WHO}.`,
          `The body is the file itself, with Content-Type ${CSV_TYPE} (UTF-8, comma or semicolon) or ${XLSX_TYPE}; any other type is answered 415. At most ${IMPORT_BODY_LIMIT / 1024 / 1024} MiB.`,
          '?fileName= names the file as it is recorded with what it creates.',
          'A dry run answers 200 with what would be created, what an earlier import created already (existing) and every error by sheet, row and column, translated.',
          'With dryRun=false: 201 when something was created, 200 when everything existed already (importing the same file twice creates nothing new).',
          'A file with any error, or one that cannot be read, is answered 422 problem+json: `errors` (path row.<row>.<column>, message "Rad 5, kolumn Beslutsdatum: …") and `importErrors` (sheet, row, column, message); nothing is written.',
        ].join(' '),
        params: kindParams,
        querystring: z
          .object({
            dryRun: z.enum(['true', 'false']).default('true'),
            fileName: z.string().trim().min(1).max(200).optional(),
          })
          .strict(),
        response: answers({ 200: importPreviewSchema, 201: importPreviewSchema }, 401, 403, 404, 413, 415, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const { programmeId, kind } = request.params;
      const lang = requestLanguage(request);
      const bytes = fileOf(request);
      const source = {
        actor: request.actor!,
        programmeId,
        fileName: request.query.fileName ?? `${kind}.${formatOf(bytes)}`,
        bytes,
      };
      const dryRun = request.query.dryRun === 'true';
      const result = dryRun ? await imports.dryRun(source, kind) : await imports.run(source, kind);
      const described = describePreview(kind as ImportKindId, result, lang);
      if (described.errors.length > 0 && !dryRun) throw importRefused(described, lang);
      if (!dryRun && result.errors.length === 0 && described.creates.length === 0) return reply.code(200).send(described);
      if (!dryRun) return reply.code(201).send(described);
      // A dry run of a file that cannot be read at all is refused too: there is nothing to preview.
      if (described.errors.some((e) => e.row === undefined && e.column === undefined && e.sheet === undefined)) {
        throw importRefused(described, lang);
      }
      return described;
    },
  );
};
