import crypto from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { PayloadOf } from '../../machines/case/schemas.js';
import type { Db } from '../db/client.js';
import { commitments, grantPools, poolEarmarks } from '../db/schema.js';
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

export interface PoolView {
  id: string;
  year: number;
  kind: 'state' | 'joint';
  name: string;
  amountOre: number;
  committedOre: number;
  remainingOre: number;
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
    const allEarmarks =
      rows.length === 0
        ? []
        : db
            .select()
            .from(poolEarmarks)
            .where(
              inArray(
                poolEarmarks.poolId,
                rows.map((p) => p.id),
              ),
            )
            .all();
    return rows.map((pool) => {
      const mine = committed.filter((c) => c.poolId === pool.id);
      const committedOre = mine.reduce((sum, c) => sum + Number(c.total), 0);
      const earmarks = allEarmarks.filter((e) => e.poolId === pool.id);
      return {
        id: pool.id,
        year: pool.year,
        kind: pool.kind,
        name: pool.name,
        amountOre: pool.amountOre,
        committedOre,
        remainingOre: pool.amountOre - committedOre,
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
