import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { PayloadOf } from '../../machines/case/schemas.js';
import type { Db } from '../db/client.js';
import { commitments, grantMovements, grantPools, poolAdjustments, poolEarmarks } from '../db/schema.js';
import { DomainError, fieldErrors, type FieldError } from '../errors.js';
import { allAreas, type ProgrammeConfig } from '../programmes/config.js';
import type { ProgrammeService } from '../programmes/service.js';

/*
 * Grant pools and what decisions commit from them. All money is whole öre (integers).
 * For a pool, remaining = amount − the sum of its commitments; commitments are written
 * only by the engine, in the transaction of the director's decision, so the three figures
 * can never disagree.
 */

const ore = z.number().int('whole öre, no fractions').nonnegative('no negative amounts').max(1e13);

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

export function createMoney(db: Db, programmes: ProgrammeService, now: () => Date) {
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

  return {
    pools,

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
