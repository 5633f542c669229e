import crypto from 'node:crypto';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { CaseContext } from '../../machines/case/context.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import type { Db } from '../db/client.js';
import { caseMembers, cases, commitments, grantMovements, grantPools } from '../db/schema.js';
import { DomainError } from '../errors.js';
import {
  isoDate,
  motivationText,
  parsed,
  poolKind,
  positiveOre,
  referenceText,
  refused,
  type MoneyAudit,
  type PoolKind,
} from './common.js';

/*
 * What happens to committed money after the decision: payments to the initiative,
 * repayments of unused grant, and releases of what will not be used. Append-only rows in
 * grant_movements, per case and pool, each checked against the case's own figures in the
 * same immediate transaction that writes it:
 *
 *   unpaid = committed − paid − released ≥ 0     (a payment or a release takes from unpaid)
 *   repaid ≤ paid                                (only paid money can come back)
 *
 * A release and a repayment give money back to the pool; a payment does not change what
 * the pool has left (the money was committed already).
 */

const movementFields = {
  year: z.number().int().min(2000).max(2100).describe('the year of the pool the money was granted from'),
  pool: poolKind.default('state').describe('the grant pool the money was granted from; the state grant unless said'),
  amountOre: positiveOre.describe('whole öre (1 SEK = 100 öre)'),
  date: isoDate.describe('the day the money moved (a payment: its value date), YYYY-MM-DD'),
  reference: referenceText.optional().describe('e.g. the voucher or invoice number'),
};

export const paymentSchema = z
  .object({ ...movementFields, motivation: motivationText.optional().describe('a note, if any') })
  .strict()
  .meta({ description: 'A payment (utbetalning) of granted money to the initiative' });
export const repaymentSchema = z
  .object({ ...movementFields, motivation: motivationText.describe('why the money is paid back') })
  .strict()
  .meta({ description: 'A repayment (återbetalning) of unused grant; the money returns to the pool' });
export const releaseSchema = z
  .object({ ...movementFields, motivation: motivationText.describe('why the money will not be used') })
  .strict()
  .meta({ description: 'A release of committed money that will not be paid; it returns to the pool' });

export type MovementKind = 'payment' | 'repayment' | 'release';

/** One row of the ledger, as people read it. */
export interface MovementView {
  id: string;
  caseId: string;
  poolId: string;
  year: number;
  pool: PoolKind;
  kind: MovementKind;
  amountOre: number;
  date: string;
  reference: string | null;
  motivation: string | null;
  /** Released by Satsa itself when the initiative was stopped or ended under budget. */
  automatic: boolean;
  createdBy: string;
  createdAt: string;
}

/** A case's money in one pool. unpaid = committed − paid − released. */
export interface CasePoolFigures {
  poolId: string;
  year: number;
  pool: PoolKind;
  poolName: string;
  priorityAreaId: string | null;
  committedOre: number;
  paidOre: number;
  repaidOre: number;
  releasedOre: number;
  unpaidOre: number;
}

/** Everything about a case's money: totals, per pool and year, and every movement, oldest first. */
export interface CaseMoneyView {
  caseId: string;
  programmeId: string;
  committedOre: number;
  paidOre: number;
  repaidOre: number;
  releasedOre: number;
  unpaidOre: number;
  pools: CasePoolFigures[];
  movements: MovementView[];
}

const WHAT: Record<MovementKind, string> = { payment: 'the payment', repayment: 'the repayment', release: 'the release' };
const AUDITED = { payment: 'grant.paid', repayment: 'grant.repaid', release: 'grant.released' } as const;

export function createLedger(db: Db, audit: MoneyAudit, now: () => Date) {
  const toView = (row: typeof grantMovements.$inferSelect, kinds: Map<string, PoolKind>): MovementView => ({
    id: row.id,
    caseId: row.caseId,
    poolId: row.poolId,
    year: row.year,
    pool: kinds.get(row.poolId) ?? 'state',
    kind: row.kind,
    amountOre: row.amountOre,
    date: row.date,
    reference: row.reference,
    motivation: row.motivation,
    automatic: row.automatic,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  });

  /** The case's programme, or undefined when there is no such case. */
  function caseProgramme(caseId: string): string | undefined {
    return db.select({ programmeId: cases.programmeId }).from(cases).where(eq(cases.id, caseId)).get()?.programmeId;
  }

  /** Per pool the case was granted money from: its figures, by year then kind. */
  function figuresOf(caseId: string): CasePoolFigures[] {
    const committed = db
      .select({
        poolId: commitments.poolId,
        year: grantPools.year,
        kind: grantPools.kind,
        name: grantPools.name,
        area: sql<string | null>`min(${commitments.priorityAreaId})`,
        total: sql<number>`sum(${commitments.amountOre})`,
      })
      .from(commitments)
      .innerJoin(grantPools, eq(grantPools.id, commitments.poolId))
      .where(eq(commitments.caseId, caseId))
      .groupBy(commitments.poolId)
      .orderBy(asc(grantPools.year), asc(grantPools.kind))
      .all();
    const moved = db
      .select({ poolId: grantMovements.poolId, kind: grantMovements.kind, total: sql<number>`sum(${grantMovements.amountOre})` })
      .from(grantMovements)
      .where(eq(grantMovements.caseId, caseId))
      .groupBy(grantMovements.poolId, grantMovements.kind)
      .all();
    const sum = (poolId: string, kind: MovementKind) => Number(moved.find((m) => m.poolId === poolId && m.kind === kind)?.total ?? 0);
    return committed.map((c) => {
      const [paidOre, repaidOre, releasedOre] = [sum(c.poolId, 'payment'), sum(c.poolId, 'repayment'), sum(c.poolId, 'release')];
      const committedOre = Number(c.total);
      return {
        poolId: c.poolId,
        year: c.year,
        pool: c.kind,
        poolName: c.name,
        priorityAreaId: c.area,
        committedOre,
        paidOre,
        repaidOre,
        releasedOre,
        unpaidOre: committedOre - paidOre - releasedOre,
      };
    });
  }

  function insertMovement(
    caseId: string,
    programmeId: string,
    target: CasePoolFigures,
    row: {
      kind: MovementKind;
      amountOre: number;
      date: string;
      reference?: string | null;
      motivation?: string | null;
      automatic?: boolean;
      createdBy: string;
    },
  ): MovementView {
    const values = {
      id: crypto.randomUUID(),
      caseId,
      poolId: target.poolId,
      programmeId,
      year: target.year,
      kind: row.kind,
      amountOre: row.amountOre,
      date: row.date,
      reference: row.reference ?? null,
      motivation: row.motivation ?? null,
      automatic: row.automatic ?? false,
      createdBy: row.createdBy,
      createdAt: now().toISOString(),
    };
    db.insert(grantMovements).values(values).run();
    audit.record({
      actorId: row.createdBy,
      programmeId,
      action: AUDITED[row.kind],
      reason: values.motivation,
      details: {
        caseId,
        movementId: values.id,
        poolId: target.poolId,
        year: target.year,
        pool: target.pool,
        amountOre: row.amountOre,
        date: row.date,
        ...(values.reference ? { reference: values.reference } : {}),
        ...(values.automatic ? { automatic: true } : {}),
      },
    });
    return toView(values, new Map([[target.poolId, target.pool]]));
  }

  /** How much of `kind` the case may still record in the pool. */
  const room = (kind: MovementKind, f: CasePoolFigures) => (kind === 'repayment' ? f.paidOre - f.repaidOre : f.unpaidOre);

  function move(kind: MovementKind, caseId: string, actorId: string, input: unknown): MovementView {
    const schema = kind === 'payment' ? paymentSchema : kind === 'repayment' ? repaymentSchema : releaseSchema;
    const body = parsed(schema, input, WHAT[kind]);
    return db.transaction(
      () => {
        const programmeId = caseProgramme(caseId);
        if (!programmeId) throw new DomainError('not-found', `no case ${caseId}`);
        const all = figuresOf(caseId);
        if (all.length === 0) throw refused(WHAT[kind], 'body.year', 'the case has been granted no money');
        const target = all.find((f) => f.year === body.year && f.pool === body.pool);
        if (!target) {
          throw refused(WHAT[kind], 'body.year', `the case was granted no money from the ${body.pool} pool for ${body.year}`);
        }
        const left = room(kind, target);
        if (body.amountOre > left) {
          const what = kind === 'repayment' ? 'paid and not yet repaid' : 'unpaid';
          throw refused(WHAT[kind], 'body.amountOre', `${body.amountOre} öre is more than the ${left} öre ${what} from ${target.poolName}`);
        }
        return insertMovement(caseId, programmeId, target, { kind, ...body, createdBy: actorId });
      },
      { behavior: 'immediate' },
    );
  }

  /** Releases, per pool, the amounts `plan` gives; the engine's own rows. */
  function releaseAutomatically(
    caseId: string,
    programmeId: string,
    plan: { target: CasePoolFigures; amountOre: number }[],
    why: { date: string; motivation: string; actorId: string },
  ) {
    let written = 0;
    for (const { target, amountOre } of plan) {
      if (amountOre <= 0) continue;
      insertMovement(caseId, programmeId, target, {
        kind: 'release',
        amountOre,
        date: why.date,
        motivation: why.motivation,
        automatic: true,
        createdBy: why.actorId,
      });
      written += 1;
    }
    return written;
  }

  return {
    caseProgramme,
    figuresOf,

    /**
     * The case's programme and whether the user is one of its people (owner or participant), for
     * access checks; undefined without the case. A guest of the case is not: its money is not theirs to see.
     */
    caseAccess(caseId: string, userId: string): { programmeId: string; member: boolean } | undefined {
      const programmeId = caseProgramme(caseId);
      if (!programmeId) return undefined;
      const member = db
        .select({ userId: caseMembers.userId })
        .from(caseMembers)
        .where(and(eq(caseMembers.caseId, caseId), eq(caseMembers.userId, userId), ne(caseMembers.relation, 'guest')))
        .get();
      return { programmeId, member: member !== undefined };
    },

    /** A payment (utbetalning) of money granted to the case; at most what is unpaid in that pool. */
    recordPayment: (caseId: string, actorId: string, input: unknown) => move('payment', caseId, actorId, input),
    /** A repayment (återbetalning) of unused grant; at most what was paid and not yet repaid. */
    recordRepayment: (caseId: string, actorId: string, input: unknown) => move('repayment', caseId, actorId, input),
    /** Releases committed money that will not be paid; at most what is unpaid in that pool. */
    releaseCommitment: (caseId: string, actorId: string, input: unknown) => move('release', caseId, actorId, input),

    /**
     * Step 7 of the engine's road, in its transaction: money the case will not use goes back to
     * its pools. A case stopped at a follow-up releases all it has unpaid. A case whose
     * initiative ends releases what its last follow-up report shows it will not need: what was
     * committed (less what was released) beyond the larger of what was paid and what it says
     * it has spent, taken from the latest year's pools first. Returns the rows written.
     */
    releaseOnEvent(input: { programmeId: string; caseId: string; type: CaseEventType; context: CaseContext; actorId: string; at: string }) {
      const { context } = input;
      const last = context.followUps.at(-1);
      if (input.type === 'RECORD_FOLLOW_UP' && context.outcome?.kind === 'stopped') {
        const plan = figuresOf(input.caseId).map((target) => ({ target, amountOre: target.unpaidOre }));
        return releaseAutomatically(input.caseId, input.programmeId, plan, {
          date: last?.date ?? input.at.slice(0, 10),
          motivation: last?.narrative ?? '',
          actorId: input.actorId,
        });
      }
      if (input.type === 'END_INITIATIVE') {
        const all = figuresOf(input.caseId);
        const paid = all.reduce((sum, f) => sum + f.paidOre, 0);
        const held = all.reduce((sum, f) => sum + f.committedOre - f.releasedOre, 0);
        let release = Math.max(0, held - Math.max(paid, last?.spentToDateOre ?? 0));
        const latestFirst = [...all].sort((a, b) => b.year - a.year || a.pool.localeCompare(b.pool));
        const plan = latestFirst.map((target) => {
          const amountOre = Math.min(release, target.unpaidOre);
          release -= amountOre;
          return { target, amountOre };
        });
        const ended = context.execution.ended;
        return releaseAutomatically(input.caseId, input.programmeId, plan, {
          date: ended?.endDate ?? input.at.slice(0, 10),
          motivation: ended?.summary ?? '',
          actorId: input.actorId,
        });
      }
      return 0;
    },

    /** A case's money: per pool and year, and every movement with who, when and why, in the order recorded. Not found without the case. */
    caseMoney(caseId: string): CaseMoneyView {
      const programmeId = caseProgramme(caseId);
      if (!programmeId) throw new DomainError('not-found', `no case ${caseId}`);
      const pools = figuresOf(caseId);
      const kinds = new Map(pools.map((p) => [p.poolId, p.pool]));
      const movements = db
        .select()
        .from(grantMovements)
        .where(eq(grantMovements.caseId, caseId))
        .orderBy(sql`rowid`)
        .all()
        .map((row) => toView(row, kinds));
      const total = (key: 'committedOre' | 'paidOre' | 'repaidOre' | 'releasedOre' | 'unpaidOre') =>
        pools.reduce((sum, p) => sum + p[key], 0);
      return {
        caseId,
        programmeId,
        committedOre: total('committedOre'),
        paidOre: total('paidOre'),
        repaidOre: total('repaidOre'),
        releasedOre: total('releasedOre'),
        unpaidOre: total('unpaidOre'),
        pools,
        movements,
      };
    },

    /** Every movement of a programme (of a year's pools, if given), oldest first: for reports. */
    movements(programmeId: string, year?: number): MovementView[] {
      const kinds = new Map(
        db
          .select({ id: grantPools.id, kind: grantPools.kind })
          .from(grantPools)
          .where(eq(grantPools.programmeId, programmeId))
          .all()
          .map((p) => [p.id, p.kind]),
      );
      return db
        .select()
        .from(grantMovements)
        .where(
          year === undefined
            ? eq(grantMovements.programmeId, programmeId)
            : and(eq(grantMovements.programmeId, programmeId), eq(grantMovements.year, year)),
        )
        .orderBy(sql`rowid`)
        .all()
        .map((row) => toView(row, kinds));
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
