import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { PayloadOf } from '../../machines/case/schemas.js';
import type { Db } from '../db/client.js';
import { commitments, grantMovements, grantPools, poolAdjustments, poolEarmarks } from '../db/schema.js';
import { DomainError, fieldErrors, type FieldError } from '../errors.js';
import { allAreas, type ProgrammeConfig } from '../programmes/config.js';
import type { ProgrammeService } from '../programmes/service.js';
import { ore, type MoneyAudit } from './common.js';
import { createLedger } from './ledger.js';
import { createPoolChanges } from './pool-changes.js';

/*
 * Grant pools and what decisions commit from them, and the money's life after that: see
 * ledger.ts (payments, repayments, releases) and pool-changes.ts (corrections, carry-overs,
 * distributions). All money is whole öre (integers). Commitments are written only by the
 * engine, in the transaction of the director's decision; every other row is append-only and
 * checked in the immediate transaction that writes it, so the figures can never disagree.
 */

export const newPoolSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    kind: z.enum(['state', 'joint']).describe('the state grant, or a joint county-level pool'),
    name: z.string().trim().min(1).max(200),
    amountOre: ore,
    earmarks: z
      .array(z.object({ priorityAreaId: z.string().min(1).max(64), amountOre: ore }).strict())
      .max(100)
      .default([])
      .describe('parts of the pool set aside per priority area'),
  })
  .strict();
export type NewPool = z.infer<typeof newPoolSchema>;

/**
 * A pool's figures, all whole öre. What a pool has = its first amount + corrections +
 * carried in − carried out. What it has used = committed − released − repaid (repaid money
 * comes back to the pool). remaining = amount − used; negative only when a decision was
 * granted over the pool with an override, and then `overdrawn` is set.
 * Per commitment: unpaid = committed − paid − released, never below zero.
 */
export interface PoolView {
  id: string;
  year: number;
  kind: 'state' | 'joint';
  name: string;
  /** The amount the pool was set up with. */
  initialAmountOre: number;
  /** The sum of its corrections (signed). */
  correctionsOre: number;
  /** Carried over into this pool from the year before. */
  carriedInOre: number;
  /** Carried over from this pool to the next year. */
  carriedOutOre: number;
  /** What the pool has now: initial + corrections + carried in − carried out. */
  amountOre: number;
  committedOre: number;
  releasedOre: number;
  paidOre: number;
  repaidOre: number;
  unpaidOre: number;
  remainingOre: number;
  overdrawn: boolean;
  /** Decisions that granted over the pool, each with the director's motivation. */
  overrides: { caseId: string; amountOre: number; motivation: string }[];
  earmarks: { priorityAreaId: string; amountOre: number; committedOre: number; remainingOre: number }[];
}

/** A case's money in one pool, with the case's priority area rolled up to its top-level area. */
export interface LedgerLine {
  caseId: string;
  poolId: string;
  year: number;
  pool: 'state' | 'joint';
  /** The case's priority area as decided (a sub-area or a top-level area), null without one. */
  priorityAreaId: string | null;
  /** Its top-level area (the area itself when it has no parent), null without one. */
  topAreaId: string | null;
  committedOre: number;
  paidOre: number;
  repaidOre: number;
  releasedOre: number;
  unpaidOre: number;
}

type Figures = Pick<LedgerLine, 'committedOre' | 'paidOre' | 'repaidOre' | 'releasedOre' | 'unpaidOre'>;

export function createMoney(db: Db, programmes: ProgrammeService, now: () => Date, audit: MoneyAudit) {
  function committedByPool(programmeId: string, year?: number) {
    const rows = db
      .select({
        poolId: commitments.poolId,
        area: commitments.priorityAreaId,
        total: sql<number>`sum(${commitments.amountOre})`,
      })
      .from(commitments)
      .where(
        year === undefined
          ? eq(commitments.programmeId, programmeId)
          : and(eq(commitments.programmeId, programmeId), eq(commitments.year, year)),
      )
      .groupBy(commitments.poolId, commitments.priorityAreaId)
      .all();
    return rows;
  }

  /** Signed sums per pool and kind of adjustment, and per pool and kind of movement. */
  function sumsBy<T extends { poolId: string; kind: string; total: number }>(rows: T[]) {
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(`${r.poolId}:${r.kind}`, (sums.get(`${r.poolId}:${r.kind}`) ?? 0) + Number(r.total));
    return (poolId: string, kind: string) => sums.get(`${poolId}:${kind}`) ?? 0;
  }

  function pools(programmeId: string, year?: number): PoolView[] {
    const config = programmes.get(programmeId)!;
    const parentOf = new Map(allAreas(config).map((a) => [a.id, a.parentId ?? a.id]));
    const committed = committedByPool(programmeId, year);
    const rows = db
      .select()
      .from(grantPools)
      .where(
        year === undefined
          ? eq(grantPools.programmeId, programmeId)
          : and(eq(grantPools.programmeId, programmeId), eq(grantPools.year, year)),
      )
      .orderBy(asc(grantPools.year), asc(grantPools.kind))
      .all();
    if (rows.length === 0) return [];
    const ids = rows.map((p) => p.id);
    const allEarmarks = db.select().from(poolEarmarks).where(inArray(poolEarmarks.poolId, ids)).all();
    const adjusted = sumsBy(
      db
        .select({ poolId: poolAdjustments.poolId, kind: poolAdjustments.kind, total: sql<number>`sum(${poolAdjustments.amountOre})` })
        .from(poolAdjustments)
        .where(inArray(poolAdjustments.poolId, ids))
        .groupBy(poolAdjustments.poolId, poolAdjustments.kind)
        .all(),
    );
    const moved = sumsBy(
      db
        .select({ poolId: grantMovements.poolId, kind: grantMovements.kind, total: sql<number>`sum(${grantMovements.amountOre})` })
        .from(grantMovements)
        .where(inArray(grantMovements.poolId, ids))
        .groupBy(grantMovements.poolId, grantMovements.kind)
        .all(),
    );
    const overrides = db
      .select({
        poolId: commitments.poolId,
        caseId: commitments.caseId,
        amountOre: commitments.amountOre,
        motivation: commitments.overrideMotivation,
      })
      .from(commitments)
      .where(and(inArray(commitments.poolId, ids), isNotNull(commitments.overrideMotivation)))
      .orderBy(asc(commitments.createdAt))
      .all();
    return rows.map((pool) => {
      const mine = committed.filter((c) => c.poolId === pool.id);
      const committedOre = mine.reduce((sum, c) => sum + Number(c.total), 0);
      const correctionsOre = adjusted(pool.id, 'correction');
      const carriedInOre = adjusted(pool.id, 'carry-over-in');
      const carriedOutOre = -adjusted(pool.id, 'carry-over-out');
      const amountOre = pool.amountOre + correctionsOre + carriedInOre - carriedOutOre;
      const [releasedOre, paidOre, repaidOre] = [moved(pool.id, 'release'), moved(pool.id, 'payment'), moved(pool.id, 'repayment')];
      const remainingOre = amountOre - (committedOre - releasedOre - repaidOre);
      const earmarks = allEarmarks.filter((e) => e.poolId === pool.id);
      return {
        id: pool.id,
        year: pool.year,
        kind: pool.kind,
        name: pool.name,
        initialAmountOre: pool.amountOre,
        correctionsOre,
        carriedInOre,
        carriedOutOre,
        amountOre,
        committedOre,
        releasedOre,
        paidOre,
        repaidOre,
        unpaidOre: committedOre - paidOre - releasedOre,
        remainingOre,
        overdrawn: remainingOre < 0,
        overrides: overrides
          .filter((o) => o.poolId === pool.id)
          .map((o) => ({ caseId: o.caseId, amountOre: o.amountOre, motivation: o.motivation ?? '' })),
        earmarks: earmarks.map((e) => {
          const used = mine
            .filter((c) => c.area !== null && (c.area === e.priorityAreaId || parentOf.get(c.area) === e.priorityAreaId))
            .reduce((sum, c) => sum + Number(c.total), 0);
          return { priorityAreaId: e.priorityAreaId, amountOre: e.amountOre, committedOre: used, remainingOre: e.amountOre - used };
        }),
      };
    });
  }

  function yearsError(config: ProgrammeConfig, year: number, path: string): FieldError | undefined {
    const { first, last } = config.years;
    return year < first || year > last ? { path, message: `${year} is outside the programme's years ${first}–${last}` } : undefined;
  }

  const ledger = createLedger(db, audit, now);
  const changes = createPoolChanges(db, programmes, audit, now, pools);

  /** Per case and pool of a programme (of a year's pools, if given): what was committed, paid, repaid and released. */
  function ledgerLines(programmeId: string, year?: number): LedgerLine[] {
    const config = programmes.get(programmeId)!;
    const parentOf = new Map(allAreas(config).map((a) => [a.id, a.parentId ?? a.id]));
    const committed = db
      .select({
        caseId: commitments.caseId,
        poolId: commitments.poolId,
        year: grantPools.year,
        kind: grantPools.kind,
        area: sql<string | null>`min(${commitments.priorityAreaId})`,
        total: sql<number>`sum(${commitments.amountOre})`,
      })
      .from(commitments)
      .innerJoin(grantPools, eq(grantPools.id, commitments.poolId))
      .where(
        year === undefined
          ? eq(commitments.programmeId, programmeId)
          : and(eq(commitments.programmeId, programmeId), eq(commitments.year, year)),
      )
      .groupBy(commitments.caseId, commitments.poolId)
      .orderBy(asc(grantPools.year), asc(grantPools.kind), asc(commitments.caseId))
      .all();
    const moved = db
      .select({
        caseId: grantMovements.caseId,
        poolId: grantMovements.poolId,
        kind: grantMovements.kind,
        total: sql<number>`sum(${grantMovements.amountOre})`,
      })
      .from(grantMovements)
      .where(
        year === undefined
          ? eq(grantMovements.programmeId, programmeId)
          : and(eq(grantMovements.programmeId, programmeId), eq(grantMovements.year, year)),
      )
      .groupBy(grantMovements.caseId, grantMovements.poolId, grantMovements.kind)
      .all();
    const sums = new Map(moved.map((m) => [`${m.caseId}:${m.poolId}:${m.kind}`, Number(m.total)]));
    return committed.map((c) => {
      const of = (kind: string) => sums.get(`${c.caseId}:${c.poolId}:${kind}`) ?? 0;
      const committedOre = Number(c.total);
      const [paidOre, repaidOre, releasedOre] = [of('payment'), of('repayment'), of('release')];
      return {
        caseId: c.caseId,
        poolId: c.poolId,
        year: c.year,
        pool: c.kind,
        priorityAreaId: c.area,
        topAreaId: c.area === null ? null : (parentOf.get(c.area) ?? c.area),
        committedOre,
        paidOre,
        repaidOre,
        releasedOre,
        unpaidOre: committedOre - paidOre - releasedOre,
      };
    });
  }

  const add = (a: Figures, b: Figures): Figures => ({
    committedOre: a.committedOre + b.committedOre,
    paidOre: a.paidOre + b.paidOre,
    repaidOre: a.repaidOre + b.repaidOre,
    releasedOre: a.releasedOre + b.releasedOre,
    unpaidOre: a.unpaidOre + b.unpaidOre,
  });
  const zero: Figures = { committedOre: 0, paidOre: 0, repaidOre: 0, releasedOre: 0, unpaidOre: 0 };

  return {
    pools,

    /**
     * A programme's money (of a year, if given) for reports: the pools, each case's figures per
     * pool, and the same per pool and top-level priority area (sub-areas rolled into their
     * parent; `null` for cases without an area). The areas of a pool add up to its figures.
     */
    ledger(programmeId: string, year?: number) {
      const lines = ledgerLines(programmeId, year);
      const areas = new Map<string, { poolId: string; year: number; pool: 'state' | 'joint'; priorityAreaId: string | null } & Figures>();
      for (const line of lines) {
        const key = `${line.poolId}:${line.topAreaId ?? ''}`;
        const current = areas.get(key) ?? {
          poolId: line.poolId,
          year: line.year,
          pool: line.pool,
          priorityAreaId: line.topAreaId,
          ...zero,
        };
        areas.set(key, { ...current, ...add(current, line) });
      }
      return { pools: pools(programmeId, year), lines, byArea: [...areas.values()] };
    },

    /** Every payment, repayment and release of a programme (of a year's pools, if given), in the order recorded. */
    movements: ledger.movements,
    /** Corrections and carry-overs of a programme's pools (of a year, if given), in the order recorded. */
    adjustments: changes.adjustments,
    /** The prioritisation decision in force for each pool that has one (of a year, if given). */
    distributions: changes.distributions,

    poolDetail: changes.poolDetail,
    correctPool: changes.correctPool,
    carryOver: changes.carryOver,
    distributePool: changes.distributePool,

    caseAccess: ledger.caseAccess,
    caseMoney: ledger.caseMoney,
    recordPayment: ledger.recordPayment,
    recordRepayment: ledger.recordRepayment,
    releaseCommitment: ledger.releaseCommitment,
    releaseOnEvent: ledger.releaseOnEvent,

    /** An administrator sets up a pool for a year. */
    createPool(programmeId: string, createdBy: string, input: unknown): PoolView {
      const parsed = newPoolSchema.safeParse(input);
      if (!parsed.success)
        throw new DomainError('validation-failed', 'the grant pool is not valid', { errors: fieldErrors(parsed.error.issues, 'body') });
      const pool = parsed.data;
      const config = programmes.get(programmeId)!;
      // Earmarks distribute a pool between the top-level areas; a sub-area draws on its parent's.
      const areas = new Set(config.priorityAreas.map((a) => a.id));
      const errors: FieldError[] = [];
      const outside = yearsError(config, pool.year, 'body.year');
      if (outside) errors.push(outside);
      pool.earmarks.forEach((e, i) => {
        if (!areas.has(e.priorityAreaId)) {
          errors.push({
            path: `body.earmarks.${i}.priorityAreaId`,
            message: `no top-level priority area ${e.priorityAreaId} in the programme`,
          });
        }
        if (pool.earmarks.findIndex((o) => o.priorityAreaId === e.priorityAreaId) !== i) {
          errors.push({ path: `body.earmarks.${i}.priorityAreaId`, message: `${e.priorityAreaId} is earmarked twice` });
        }
      });
      const earmarked = pool.earmarks.reduce((sum, e) => sum + e.amountOre, 0);
      if (earmarked > pool.amountOre)
        errors.push({ path: 'body.earmarks', message: `earmarks total ${earmarked} öre, more than the pool's ${pool.amountOre}` });
      if (errors.length > 0) throw new DomainError('validation-failed', 'the grant pool is not valid', { errors });
      const id = crypto.randomUUID();
      db.transaction(
        () => {
          const taken = db
            .select({ id: grantPools.id })
            .from(grantPools)
            .where(and(eq(grantPools.programmeId, programmeId), eq(grantPools.year, pool.year), eq(grantPools.kind, pool.kind)))
            .get();
          if (taken) throw new DomainError('conflict', `the programme already has a ${pool.kind} pool for ${pool.year}`);
          db.insert(grantPools)
            .values({
              id,
              programmeId,
              year: pool.year,
              kind: pool.kind,
              name: pool.name,
              amountOre: pool.amountOre,
              createdBy,
              createdAt: now().toISOString(),
            })
            .run();
          for (const e of pool.earmarks)
            db.insert(poolEarmarks)
              .values({ poolId: id, ...e })
              .run();
        },
        { behavior: 'immediate' },
      );
      return pools(programmeId, pool.year).find((p) => p.id === id)!;
    },

    yearsError,

    /**
     * The director approves: commits each granted line from its pool. Refused, with every
     * failing line, when a year has no such pool or the pool (or the area's earmark) has
     * less left than granted, unless the decision records an override with a motivation.
     * Call inside the engine's transaction.
     */
    commitDecision(input: {
      programmeId: string;
      caseId: string;
      caseVersion: number;
      priorityAreaId: string | null;
      decision: PayloadOf<'RECORD_DECISION'>;
    }) {
      const { decision } = input;
      const lines = decision.grantedBudget ?? [];
      const config = programmes.get(input.programmeId)!;
      const parent = allAreas(config).find((a) => a.id === input.priorityAreaId)?.parentId;
      const errors: FieldError[] = [];
      const planned: { poolId: string; year: number; amountOre: number; over: boolean }[] = [];
      // Lines drawing on the same pool add up before they are compared.
      const asked = new Map<string, number>();
      const poolsOfYear = new Map<number, PoolView[]>();
      const poolsFor = (year: number) => {
        if (!poolsOfYear.has(year)) poolsOfYear.set(year, pools(input.programmeId, year));
        return poolsOfYear.get(year)!;
      };
      lines.forEach((line, i) => {
        const path = `payload.grantedBudget.${i}`;
        const outside = yearsError(config, line.year, `${path}.year`);
        if (outside) return void errors.push(outside);
        const kind = line.pool ?? 'state';
        const pool = poolsFor(line.year).find((p) => p.kind === kind);
        if (!pool) return void errors.push({ path: `${path}.year`, message: `the programme has no ${kind} grant pool for ${line.year}` });
        const total = (asked.get(pool.id) ?? 0) + line.amountOre;
        asked.set(pool.id, total);
        // An earmark reserves money for its area: other areas may not use what is left of it,
        // and its own area may not use more than it.
        const area = parent ?? input.priorityAreaId;
        const own = pool.earmarks.find((e) => e.priorityAreaId === area);
        const reservedForOthers = pool.earmarks.filter((e) => e !== own).reduce((sum, e) => sum + Math.max(0, e.remainingOre), 0);
        const open = pool.remainingOre - reservedForOthers;
        const limit = own ? Math.min(own.remainingOre, open) : open;
        const over = total > limit;
        if (over && !decision.budgetOverride) {
          errors.push({
            path: `${path}.amountOre`,
            message:
              own && own.remainingOre <= open
                ? `${total} öre is more than the ${limit} öre left of the earmark for ${own.priorityAreaId} in ${pool.name}`
                : `${total} öre is more than the ${limit} öre left in ${pool.name}${reservedForOthers > 0 ? ` outside other areas' earmarks` : ''}`,
          });
        }
        planned.push({ poolId: pool.id, year: line.year, amountOre: line.amountOre, over });
      });
      if (errors.length > 0) {
        throw new DomainError('budget-exceeds-pool', 'the decision commits money the pool does not have', { errors });
      }
      const at = now().toISOString();
      for (const line of planned) {
        db.insert(commitments)
          .values({
            id: crypto.randomUUID(),
            caseId: input.caseId,
            poolId: line.poolId,
            programmeId: input.programmeId,
            year: line.year,
            priorityAreaId: input.priorityAreaId,
            amountOre: line.amountOre,
            // The override is recorded on the lines that needed it, and only there.
            overrideMotivation: line.over ? (decision.budgetOverride?.motivation ?? null) : null,
            caseVersion: input.caseVersion,
            createdAt: at,
          })
          .run();
      }
      return planned.length;
    },

    /** What a case has been granted, per year. */
    grantedTo(caseId: string) {
      return db
        .select({ year: commitments.year, amountOre: sql<number>`sum(${commitments.amountOre})` })
        .from(commitments)
        .where(eq(commitments.caseId, caseId))
        .groupBy(commitments.year)
        .orderBy(asc(commitments.year))
        .all()
        .map((r) => ({ year: r.year, amountOre: Number(r.amountOre) }));
    },
  };
}

export type Money = ReturnType<typeof createMoney>;
