import crypto from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Role } from '../../machines/roles.js';
import type { Db } from '../db/client.js';
import { caseDocuments } from '../db/schema.js';
import { canSeeCase } from '../engine/access.js';
import type { CaseRow, CaseStore } from '../engine/case-store.js';
import type { Engine } from '../engine/engine.js';
import { DomainError } from '../errors.js';
import { t, type Language } from '../i18n/index.js';
import { holds, isProgrammeRole, rolesIn, type Actor } from '../people/actor.js';
import type { PeopleService } from '../people/service.js';
import { filePath, FileRefused, receiveFile, type RefusalReason, type StoredFile } from './files.js';

/*
 * Documents on a case: files attached at any step by anyone who may see the case. A document
 * is an official record once received: its row is never deleted; it can be marked replaced by
 * a newer one, or withdrawn with a reason, once. Each addition, replacement and withdrawal is
 * an event of the case (outside the chart), naming the document by id only. The file is
 * received first (streamed, checked, stored by its hash: see files.ts); the row and the event
 * are then written in one transaction. Should that transaction fail, the stored file may stay:
 * it is content-addressed and harmless, and no row points to it.
 */

export const DOCUMENT_STATUSES = ['current', 'replaced', 'withdrawn'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** What a person writes about a document they add: why it is there. */
export const documentDescriptionSchema = z.string().trim().max(2000);
export const withdrawSchema = z.object({ reason: z.string().trim().min(1, 'say why the document is withdrawn').max(2000) }).strict();

/** The roles that may withdraw or replace any document of their programme's cases. */
const KEEPERS: readonly Role[] = ['county-coordinator', 'administrator'];

/** The longest file name kept (in characters). */
const NAME_MAX = 200;

/**
 * The name a file is kept under: as sent (without the folders of a Windows path some old
 * browsers send), without control characters, at most NAME_MAX characters; "dokument" if
 * nothing is left. It is only shown and handed back on download, never used as a path.
 */
export function cleanFileName(name: string | undefined): string {
  const sent = name ?? '';
  const last = /^[A-Za-z]:\\/.test(sent) ? sent.slice(sent.lastIndexOf('\\') + 1) : sent;
  const clean = last
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .trim();
  const chars = [...clean];
  if (chars.length === 0) return 'dokument';
  if (chars.length <= NAME_MAX) return clean;
  // Keep the extension: it says what the file is.
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
  return [...clean.slice(0, clean.length - ext.length)].slice(0, NAME_MAX - ext.length).join('') + ext;
}

export interface DocumentServiceDeps {
  db: Db;
  /** Where the files are kept: <data dir>/documents. */
  root: string;
  /** The largest file taken, in bytes (SATSA_DOCUMENT_MAX_BYTES). */
  maxBytes: number;
  engine: Pick<Engine, 'recordOnCase'>;
  store: Pick<CaseStore, 'load' | 'isMember'>;
  people: Pick<PeopleService, 'displayNames'>;
  now: () => Date;
}

export interface DocumentInput {
  description?: string;
  /** The id of the document of the same case this one replaces. */
  replaces?: string;
  /** The case version the caller saw (If-Match), when given. */
  expectedVersion?: number;
}

type DocumentRow = typeof caseDocuments.$inferSelect;

export function createDocuments({ db, root, maxBytes, engine, store, people, now }: DocumentServiceDeps) {
  function loadVisible(actor: Actor, caseId: string): { row: CaseRow; member: boolean } {
    const row = store.load(caseId);
    const member = row ? store.isMember(row.id, actor.id) : false;
    if (!row || !canSeeCase(actor, row.programmeId, member)) throw new DomainError('not-found', `no case ${caseId}`);
    return { row, member };
  }

  /** The role a person acts in on a case: initiator on their own, else their first programme role. */
  function roleOn(actor: Actor, programmeId: string, member: boolean): Role {
    const roles = rolesIn(actor, programmeId);
    if (member && roles.includes('initiator')) return 'initiator';
    return roles.find(isProgrammeRole) ?? roles[0] ?? 'initiator';
  }

  function documentOf(caseId: string, documentId: string): DocumentRow {
    const doc = db.select().from(caseDocuments).where(eq(caseDocuments.id, documentId)).get();
    if (!doc || doc.caseId !== caseId) throw new DomainError('not-found', `no document ${documentId} on this case`);
    return doc;
  }

  const statusOf = (doc: DocumentRow): DocumentStatus => (doc.withdrawnAt ? 'withdrawn' : doc.replacedById ? 'replaced' : 'current');

  /** Who may withdraw or replace a document: the one who added it, a county coordinator, an administrator. */
  const mayChange = (actor: Actor, doc: DocumentRow) => doc.addedBy === actor.id || KEEPERS.some((r) => holds(actor, doc.programmeId, r));

  function mustBeChangeable(actor: Actor, doc: DocumentRow, lang: Language) {
    if (!mayChange(actor, doc)) {
      throw new DomainError('forbidden', t(lang, 'documents.errors.notYours'), { roles: KEEPERS });
    }
    const status = statusOf(doc);
    if (status !== 'current') throw new DomainError('conflict', t(lang, `documents.errors.already-${status}`));
  }

  function view(doc: DocumentRow, names: Map<string, string>, lang: Language) {
    const status = statusOf(doc);
    return {
      id: doc.id,
      caseId: doc.caseId,
      fileName: doc.fileName,
      mediaType: doc.mediaType,
      size: doc.size,
      sha256: doc.sha256,
      description: doc.description,
      addedBy: { id: doc.addedBy, displayName: names.get(doc.addedBy) ?? null },
      addedAt: doc.addedAt,
      caseVersion: doc.caseVersion,
      status,
      statusLabel: t(lang, `documents.status.${status}`),
      replacesId: doc.replacesId,
      replacedById: doc.replacedById,
      withdrawn: doc.withdrawnAt
        ? {
            by: { id: doc.withdrawnBy!, displayName: names.get(doc.withdrawnBy!) ?? null },
            at: doc.withdrawnAt,
            reason: doc.withdrawnReason ?? '',
          }
        : null,
    };
  }

  function viewsOf(docs: DocumentRow[], lang: Language) {
    const names = people.displayNames([...new Set(docs.flatMap((d) => [d.addedBy, ...(d.withdrawnBy ? [d.withdrawnBy] : [])]))]);
    return docs.map((d) => view(d, names, lang));
  }

  /** A refused file as a problem naming the field `file`, in the caller's language. */
  function refusal(reason: RefusalReason | 'missing', lang: Language): DomainError {
    const mib = (n: number) => String(Math.round((n / 1024 / 1024) * 10) / 10).replace('.', lang === 'sv' ? ',' : '.');
    const message = t(lang, `documents.refused.${reason}`, { max: mib(maxBytes) });
    const errors = [{ path: 'file', message }];
    if (reason === 'too-large') return new DomainError('payload-too-large', message, { errors, maxBytes });
    if (reason === 'type') return new DomainError('unsupported-media-type', message, { errors });
    return new DomainError('validation-failed', message, { errors });
  }

  return {
    maxBytes,

    /**
     * Throws not-found unless the actor may see the case, and version-mismatch when the version
     * the caller saw is not the case's: checked before a file is taken in (and again when it is
     * recorded).
     */
    mayAdd(actor: Actor, caseId: string, expectedVersion?: number) {
      const { row } = loadVisible(actor, caseId);
      if (expectedVersion !== undefined && expectedVersion !== row.version) {
        throw new DomainError('version-mismatch', `the case is at version ${row.version}`, { currentVersion: row.version });
      }
    },

    /**
     * Takes a file's bytes into the store, checked (size, content type, UTF-8 text); a refused
     * file leaves nothing and is answered as a problem naming the field `file`.
     */
    async receive(chunks: AsyncIterable<Buffer | Uint8Array>, fileName: string, lang: Language, cutAtLimit?: () => boolean) {
      try {
        return await receiveFile(root, chunks, { name: fileName, maxBytes, incomplete: cutAtLimit });
      } catch (error) {
        // A file the sender's side cut at the limit is one too large, not one broken off.
        if (error instanceof FileRefused) throw refusal(error.reason === 'incomplete' && cutAtLimit?.() ? 'too-large' : error.reason, lang);
        throw error;
      }
    },

    /** A refusal (no file sent, or one cut off) as the problem the caller gets. */
    refused(reason: RefusalReason | 'missing', lang: Language) {
      return refusal(reason, lang);
    },

    /**
     * Records a received file on a case, in one transaction: access, the replaced document
     * (if any), the row and the case's event. Gives the document and the case's new version.
     */
    record(actor: Actor, caseId: string, file: StoredFile & { fileName: string }, input: DocumentInput, lang: Language) {
      const parsed = documentDescriptionSchema.safeParse(input.description ?? '');
      if (!parsed.success) {
        throw new DomainError('validation-failed', t(lang, 'documents.errors.descriptionTooLong'), {
          errors: [{ path: 'description', message: t(lang, 'documents.errors.descriptionTooLong') }],
        });
      }
      const description = parsed.data || null;
      return db.transaction(
        () => {
          const { row, member } = loadVisible(actor, caseId);
          const replaced = input.replaces ? documentOf(caseId, input.replaces) : undefined;
          if (replaced) mustBeChangeable(actor, replaced, lang);
          const id = crypto.randomUUID();
          const at = now().toISOString();
          const version = engine.recordOnCase(actor, caseId, {
            type: replaced ? 'DOCUMENT_REPLACED' : 'DOCUMENT_ADDED',
            payload: replaced ? { documentId: id, replacesId: replaced.id } : { documentId: id },
            role: roleOn(actor, row.programmeId, member),
            expectedVersion: input.expectedVersion,
            write: (caseVersion) => {
              db.insert(caseDocuments)
                .values({
                  id,
                  caseId,
                  programmeId: row.programmeId,
                  sha256: file.sha256,
                  size: file.size,
                  mediaType: file.mediaType,
                  fileName: cleanFileName(file.fileName),
                  description,
                  addedBy: actor.id,
                  addedAt: at,
                  caseVersion,
                  replacesId: replaced?.id ?? null,
                })
                .run();
              if (replaced) db.update(caseDocuments).set({ replacedById: id }).where(eq(caseDocuments.id, replaced.id)).run();
            },
          });
          const doc = documentOf(caseId, id);
          return { document: viewsOf([doc], lang)[0]!, version };
        },
        { behavior: 'immediate' },
      );
    },

    /** Every document of a case, oldest first, with who added it and where it stands. */
    list(actor: Actor, caseId: string, lang: Language) {
      const { row } = loadVisible(actor, caseId);
      const docs = db.select().from(caseDocuments).where(eq(caseDocuments.caseId, caseId)).orderBy(asc(caseDocuments.addedAt)).all();
      return { caseId, version: row.version, items: viewsOf(docs, lang) };
    },

    /** The documents of a case by id, for naming them in its history (no access check: the caller has made it). */
    namesOf(ids: string[]): Map<string, string> {
      if (ids.length === 0) return new Map();
      const rows = db
        .select({ id: caseDocuments.id, fileName: caseDocuments.fileName })
        .from(caseDocuments)
        .where(inArray(caseDocuments.id, ids))
        .all();
      return new Map(rows.map((r) => [r.id, r.fileName]));
    },

    /** One document of a case as the actor may see it, and where its file is. */
    file(actor: Actor, caseId: string, documentId: string, lang: Language) {
      loadVisible(actor, caseId);
      const doc = documentOf(caseId, documentId);
      return { document: viewsOf([doc], lang)[0]!, path: filePath(root, doc.sha256) };
    },

    /** One document of a case, with whether the actor may withdraw or replace it. */
    get(actor: Actor, caseId: string, documentId: string, lang: Language) {
      const { row } = loadVisible(actor, caseId);
      const doc = documentOf(caseId, documentId);
      return { document: viewsOf([doc], lang)[0]!, mayChange: mayChange(actor, doc), version: row.version };
    },

    /** Whether the actor may withdraw or replace documents they did not add, on a case of this programme. */
    keepsDocuments: (actor: Actor, programmeId: string) => KEEPERS.some((r) => holds(actor, programmeId, r)),

    /** Withdraws a current document with a reason; its row and file stay. */
    withdraw(
      actor: Actor,
      caseId: string,
      documentId: string,
      body: z.infer<typeof withdrawSchema>,
      lang: Language,
      expectedVersion?: number,
    ) {
      const parsed = withdrawSchema.safeParse(body);
      if (!parsed.success) {
        throw new DomainError('validation-failed', t(lang, 'documents.errors.reasonRequired'), {
          errors: [{ path: 'reason', message: t(lang, 'documents.errors.reasonRequired') }],
        });
      }
      const reason = parsed.data.reason;
      return db.transaction(
        () => {
          const { row, member } = loadVisible(actor, caseId);
          const doc = documentOf(caseId, documentId);
          mustBeChangeable(actor, doc, lang);
          const version = engine.recordOnCase(actor, caseId, {
            type: 'DOCUMENT_WITHDRAWN',
            payload: { documentId },
            role: roleOn(actor, row.programmeId, member),
            expectedVersion,
            write: () => {
              db.update(caseDocuments)
                .set({ withdrawnBy: actor.id, withdrawnAt: now().toISOString(), withdrawnReason: reason })
                .where(eq(caseDocuments.id, documentId))
                .run();
            },
          });
          return { document: viewsOf([documentOf(caseId, documentId)], lang)[0]!, version };
        },
        { behavior: 'immediate' },
      );
    },
  };
}

export type Documents = ReturnType<typeof createDocuments>;
export type DocumentView = ReturnType<Documents['list']>['items'][number];
