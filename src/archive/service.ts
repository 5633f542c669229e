import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { CaseContext } from '../../machines/case/context.js';
import type { CaseService, CaseView } from '../cases/service.js';
import type { Db } from '../db/client.js';
import { archiveDeliveries, cases } from '../db/schema.js';
import type { Documents } from '../documents/service.js';
import type { Engine } from '../engine/engine.js';
import { DomainError } from '../errors.js';
import { t, type Language } from '../i18n/index.js';
import { belongsTo, holds, type Actor } from '../people/actor.js';
import type { ProgrammeConfig } from '../programmes/config.js';
import { rootFolderOf, type ArchiveCase, type ArchiveSettings, type PackageContext } from './model.js';
import { packageFiles, writePackageZip, type PackageRenderings } from './package.js';

/*
 * Delivery of closed cases to the e-archive (src/archive): a closed case's E-ARK SIP, made for
 * a look (a download that records nothing) or for delivery. A delivery writes the package into
 * the data directory's archive/ folder, then, in one transaction, a row of archive_deliveries
 * (the package's SHA-256 and size) and the event ARCHIVE_DELIVERED on the case: the act the
 * programme's `keepUntilDelivered` and the retention rule "after delivery" rely on. Only the
 * programme's administrator makes packages; a running case, and a programme without archive
 * settings, are refused.
 */

/** What a delivery asks for: some cases by id, or every case of the programme closed in a year. */
export const deliveryRequestSchema = z.union([
  z.object({ caseIds: z.array(z.uuid()).min(1).max(200).describe('the closed cases to deliver') }).strict(),
  z.object({ year: z.number().int().min(2000).max(2100).describe('deliver every case of the programme closed this year') }).strict(),
]);
export type DeliveryRequest = z.infer<typeof deliveryRequestSchema>;

/** The case, its history and its documents as HTML, and the package described, made by src/web (a port: the domain knows no page). */
export type ArchiveRenderer = (input: {
  view: CaseView;
  history: ReturnType<CaseService['history']>;
  documents: ReturnType<Documents['list']>['items'];
  config: ProgrammeConfig;
  objid: string;
  createdAt: string;
}) => PackageRenderings;

export interface ArchiveServiceDeps {
  db: Db;
  cases: Pick<CaseService, 'get' | 'history'>;
  documents: Pick<Documents, 'list' | 'file'>;
  engine: Pick<Engine, 'recordOnCase'>;
  programme: (programmeId: string) => ProgrammeConfig | undefined;
  render: ArchiveRenderer;
  /** Where delivered packages are kept: <data dir>/archive. */
  archiveDir: string;
  /** The committed schemas (templates/archive/schemas), copied into every package. */
  schemasDir: string;
  software: { name: string; version: string };
  now: () => Date;
}

/** The language of what a package holds: the records creator's. */
const LANG: Language = 'sv';

type DeliveryRow = typeof archiveDeliveries.$inferSelect;

export function createArchive(deps: ArchiveServiceDeps) {
  const { db, now } = deps;

  /** The programme's administrator only; someone without the role is not told whether it exists. */
  function mustAdminister(actor: Actor, programmeId: string): ProgrammeConfig {
    const config = deps.programme(programmeId);
    // Someone of another programme is not told whether this one (or its case) exists.
    if (!config || !belongsTo(actor, programmeId)) throw new DomainError('not-found', `no programme ${programmeId}`);
    if (!holds(actor, programmeId, 'administrator')) {
      throw new DomainError('forbidden', "only the programme's administrator delivers its cases to the e-archive", {
        roles: ['administrator'],
      });
    }
    return config;
  }

  function settingsOf(config: ProgrammeConfig, lang: Language): ArchiveSettings {
    if (!config.archive) throw new DomainError('conflict', t(lang, 'archive.errors.noSettings'), { reason: 'no-archive-settings' });
    return config.archive;
  }

  /** A case of the programme the administrator may package: closed, else refused. */
  function closedCase(actor: Actor, caseId: string, lang: Language, programmeId?: string): { view: CaseView; config: ProgrammeConfig } {
    const row = db.select({ programmeId: cases.programmeId }).from(cases).where(eq(cases.id, caseId)).get();
    if (!row || (programmeId !== undefined && row.programmeId !== programmeId)) throw new DomainError('not-found', `no case ${caseId}`);
    const config = mustAdminister(actor, row.programmeId);
    settingsOf(config, lang);
    const view = deps.cases.get(actor, caseId, LANG);
    if (view.status !== 'done') {
      throw new DomainError('conflict', t(lang, 'archive.errors.running', { diaryNumber: view.diaryNumber }), {
        reason: 'case-running',
        caseId,
      });
    }
    return { view, config };
  }

  const closedAtOf = (view: CaseView) => (view.data as CaseContext).outcome?.at ?? view.updatedAt;

  /** The case as its package describes it, read through the cases and documents services. */
  function archiveCase(actor: Actor, view: CaseView, config: ProgrammeConfig) {
    const ctx = view.data as CaseContext;
    const history = deps.cases.history(actor, view.id, LANG);
    const documents = deps.documents.list(actor, view.id, LANG).items;
    const decisionEvent = [...history.events].reverse().find((e) => e.type === 'RECORD_DECISION' || e.type === 'IMPORT_DECIDED');
    const record: ArchiveCase = {
      id: view.id,
      diaryNumber: view.diaryNumber,
      title: view.title,
      summary: ctx.idea.summary,
      programmeName: config.name.sv,
      version: view.version,
      createdAt: view.createdAt,
      closedAt: closedAtOf(view),
      outcomeLabel: view.outcomeLabel ?? t(LANG, 'archive.closed'),
      outcomeReason: ctx.outcome?.reason ?? null,
      initiatorName: view.initiator.displayName,
      decision: ctx.decision
        ? {
            label: t(LANG, `options.decision.${ctx.decision.decision}`),
            motivation: ctx.decision.motivation,
            at: ctx.decision.at,
            reference: ctx.decision.reference,
            decidedBy: decisionEvent?.actor.displayName ?? null,
          }
        : undefined,
      history: history.events.map((e) => ({
        version: e.version,
        type: e.type,
        label: e.label,
        at: e.at,
        actorName: e.actor.displayName,
        roleLabel: e.roleLabel,
      })),
      documents: documents.map((d) => ({
        id: d.id,
        fileName: d.fileName,
        mediaType: d.mediaType,
        size: d.size,
        sha256: d.sha256,
        addedAt: d.addedAt,
        addedByName: d.addedBy.displayName,
        description: d.description,
        statusLabel: d.statusLabel,
        storePath: deps.documents.file(actor, view.id, d.id, LANG).path,
      })),
    };
    return { record, history, documents };
  }

  /** Everything a package of the case needs, made now; `write` streams its zip. */
  async function prepare(actor: Actor, view: CaseView, config: ProgrammeConfig) {
    const objid = `uuid:${crypto.randomUUID()}`;
    const createdAt = now().toISOString();
    const { record, history, documents } = archiveCase(actor, view, config);
    const ctx: PackageContext = {
      objid,
      createdAt,
      software: deps.software,
      submitter: { name: actor.displayName, email: actor.email },
      settings: settingsOf(config, LANG),
    };
    const html = deps.render({ view, history, documents, config, objid, createdAt });
    const files = await packageFiles(ctx, record, html, deps.schemasDir);
    const packageName = `${rootFolderOf(objid)}.zip`;
    return { objid, packageName, version: view.version, write: (out: Writable) => writePackageZip(ctx, files, out) };
  }

  function deliveryView(row: DeliveryRow, names: Map<string, { diaryNumber: string; title: string }>) {
    const c = names.get(row.caseId);
    return {
      id: row.id,
      caseId: row.caseId,
      diaryNumber: c?.diaryNumber ?? '',
      title: c?.title ?? '',
      caseVersion: row.caseVersion,
      packageName: row.packageName,
      sha256: row.sha256,
      size: row.size,
      deliveredAt: row.deliveredAt,
      deliveredBy: row.deliveredBy,
    };
  }

  function caseNames(ids: string[]) {
    if (ids.length === 0) return new Map<string, { diaryNumber: string; title: string }>();
    const rows = db
      .select({ id: cases.id, diaryNumber: cases.diaryNumber, title: cases.title })
      .from(cases)
      .where(inArray(cases.id, [...new Set(ids)]))
      .all();
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** The closed cases of a programme, newest closing first, each with when it closed. */
  function closedViews(actor: Actor, programmeId: string) {
    const ids = db
      .select({ id: cases.id })
      .from(cases)
      .where(and(eq(cases.programmeId, programmeId), eq(cases.status, 'done')))
      .all();
    return ids
      .map(({ id }) => deps.cases.get(actor, id, LANG))
      .map((view) => ({ view, closedAt: closedAtOf(view) }))
      .sort((a, b) => b.closedAt.localeCompare(a.closedAt));
  }

  return {
    /** The programme's closed cases with their last delivery, for its administrator. */
    closedCases(actor: Actor, programmeId: string, lang: Language) {
      const config = mustAdminister(actor, programmeId);
      const closed = closedViews(actor, programmeId);
      const rows = db
        .select()
        .from(archiveDeliveries)
        .where(eq(archiveDeliveries.programmeId, programmeId))
        .orderBy(desc(archiveDeliveries.deliveredAt))
        .all();
      const last = new Map<string, DeliveryRow>();
      for (const r of rows) if (!last.has(r.caseId)) last.set(r.caseId, r);
      return {
        programmeId,
        configured: config.archive !== undefined,
        items: closed.map(({ view, closedAt }) => {
          const delivery = last.get(view.id);
          return {
            caseId: view.id,
            diaryNumber: view.diaryNumber,
            title: view.title,
            outcomeLabel: view.outcomeLabel ?? t(lang, 'archive.closed'),
            closedAt,
            lastDelivery: delivery ? { id: delivery.id, deliveredAt: delivery.deliveredAt, packageName: delivery.packageName } : null,
          };
        }),
      };
    },

    /**
     * A closed case's package for a look (nothing is recorded): its file name, and `write`,
     * which streams the zip. Refused for a running case, or without archive settings.
     */
    async package(actor: Actor, caseId: string, lang: Language) {
      const { view, config } = closedCase(actor, caseId, lang);
      const prepared = await prepare(actor, view, config);
      return { packageName: prepared.packageName, write: prepared.write };
    },

    /**
     * Delivers cases of the programme: one package (one zip) per case, kept in the archive
     * folder, each recorded (a row and the case's ARCHIVE_DELIVERED) once its zip is whole.
     * Every case is checked before the first package is made: one running case refuses all.
     */
    async deliver(actor: Actor, programmeId: string, request: DeliveryRequest, lang: Language) {
      const config = mustAdminister(actor, programmeId);
      settingsOf(config, lang);
      const targets =
        'year' in request
          ? closedViews(actor, programmeId)
              .filter((c) => c.closedAt.startsWith(`${request.year}-`))
              .map((c) => ({ view: c.view, config }))
          : [...new Set(request.caseIds)].map((id) => closedCase(actor, id, lang, programmeId));
      fs.mkdirSync(deps.archiveDir, { recursive: true });
      const delivered: DeliveryRow[] = [];
      for (const { view } of targets) {
        const prepared = await prepare(actor, view, config);
        const id = crypto.randomUUID();
        const file = path.join(deps.archiveDir, `${id}.zip`);
        const temporary = `${file}.part`;
        let written: { sha256: string; size: number };
        try {
          written = await prepared.write(fs.createWriteStream(temporary));
          fs.renameSync(temporary, file);
        } catch (error) {
          fs.rmSync(temporary, { force: true });
          throw error;
        }
        const row: DeliveryRow = {
          id,
          programmeId,
          caseId: view.id,
          caseVersion: prepared.version,
          packageName: prepared.packageName,
          sha256: written.sha256,
          size: written.size,
          deliveredAt: now().toISOString(),
          deliveredBy: actor.id,
        };
        try {
          db.transaction(
            () => {
              // The package holds the case as it was at its version: a change meanwhile makes it stale.
              deps.engine.recordOnCase(actor, view.id, {
                type: 'ARCHIVE_DELIVERED',
                payload: { deliveryId: id, packageName: row.packageName, sha256: row.sha256, size: row.size },
                role: 'administrator',
                expectedVersion: prepared.version,
                write: () => {
                  db.insert(archiveDeliveries).values(row).run();
                },
              });
            },
            { behavior: 'immediate' },
          );
        } catch (error) {
          fs.rmSync(file, { force: true });
          throw error;
        }
        delivered.push(row);
      }
      const names = caseNames(delivered.map((d) => d.caseId));
      return { programmeId, items: delivered.map((d) => deliveryView(d, names)) };
    },

    /** What was delivered, newest first: when, which case, the package's name, checksum and size. */
    deliveries(actor: Actor, programmeId: string) {
      mustAdminister(actor, programmeId);
      const rows = db
        .select()
        .from(archiveDeliveries)
        .where(eq(archiveDeliveries.programmeId, programmeId))
        .orderBy(desc(archiveDeliveries.deliveredAt))
        .all();
      const names = caseNames(rows.map((r) => r.caseId));
      return { programmeId, items: rows.map((r) => deliveryView(r, names)) };
    },

    /** A delivered package's file, as it was delivered. */
    deliveredFile(actor: Actor, programmeId: string, deliveryId: string) {
      mustAdminister(actor, programmeId);
      const row = db
        .select()
        .from(archiveDeliveries)
        .where(and(eq(archiveDeliveries.id, deliveryId), eq(archiveDeliveries.programmeId, programmeId)))
        .get();
      const file = row && path.join(deps.archiveDir, `${row.id}.zip`);
      if (!row || !file || !fs.existsSync(file)) throw new DomainError('not-found', `no delivered package ${deliveryId}`);
      return { path: file, packageName: row.packageName, size: row.size, sha256: row.sha256 };
    },

    /** Whether a case has been delivered (the retention rules ask). */
    isDelivered(caseId: string): boolean {
      return (
        db.select({ id: archiveDeliveries.id }).from(archiveDeliveries).where(eq(archiveDeliveries.caseId, caseId)).limit(1).all().length >
        0
      );
    },
  };
}

export type Archive = ReturnType<typeof createArchive>;
