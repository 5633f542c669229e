import crypto from 'node:crypto';
import { asc, desc, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { grantPools, poolAdjustments, poolDistributionLines, poolDistributions } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { allAreas } from '../programmes/config.js';
import type { ProgrammeService } from '../programmes/service.js';
import {
  isoDate,
  motivationText,
  ore,
  parsed,
  poolKind,
  positiveOre,
  referenceText,
  refused,
  type MoneyAudit,
  type PoolKind,
} from './common.js';

/*
 * Changes of a pool after it was set up, append-only: corrections with their motivation,
 * carry-overs of what is left in a year to the next (both sides written together, so what
 * leaves one year always arrives in the next), and prioritisation decisions distributing a
 * pool between county-wide, sub-regional and local purposes (the newest is in force).
 */

const signedOre = z.number().int('whole öre, no fractions').min(-1e13).max(1e13);

export const correctionSchema = z
  .object({
    amountOre: signedOre
      .refine((v) => v !== 0, 'a correction changes the amount')
      .optional()
      .describe('the change, signed: negative lowers the pool'),
    newAmountOre: ore.optional().describe('or: the amount the pool has after the correction'),
    motivation: motivationText.describe('why: kept with the correction and in the audit'),
    reference: referenceText.optional().describe('the decision or letter behind it'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.amountOre === undefined) === (c.newAmountOre === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['amountOre'], message: 'give either amountOre (the change) or newAmountOre (the new amount)' });
    }
  });

export const carryOverSchema = z
  .object({
    fromYear: z.number().int().min(2000).max(2100).describe('the year whose pool gives; the next year’s pool of the same kind receives'),
    kind: poolKind.default('state'),
    amountOre: positiveOre.describe('whole öre; at most what remains in the pool'),
    reference: referenceText.describe('the reference of the decision to carry the money over'),
    motivation: motivationText,
    decidedAt: isoDate.optional().describe('the day of the decision; kept in the audit'),
  })
  .strict();

export const DISTRIBUTION_SCOPES = ['county', 'sub-regional', 'local'] as const;
export type DistributionScope = (typeof DISTRIBUTION_SCOPES)[number];

export const distributionSchema = z
  .object({
    decidedBy: z.string().trim().min(1).max(200).describe('the body that decided, as named in its minutes'),
    decisionDate: isoDate,
    reference: referenceText.describe("the decision's reference, e.g. a paragraph of the minutes"),
    motivation: motivationText.optional(),
    lines: z
      .array(
        z
          .object({
            scope: z.enum(DISTRIBUTION_SCOPES).describe('county-wide, sub-regional or local (gemensamt, delregionalt, lokalt)'),
            recipient: z
              .string()
              .trim()
              .max(100)
              .default('')
              .describe("a sub-region, or one of the programme's municipalities for a local line; empty for county-wide"),
            priorityAreaId: z.string().min(1).max(64).optional().describe('the priority area the line serves, if any'),
            amountOre: positiveOre,
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict();

/** What the pool-change functions need to know of a pool. */
interface PoolFigures {
  id: string;
  year: number;
  kind: PoolKind;
  name: string;
  amountOre: number;
  remainingOre: number;
}

export interface AdjustmentView {
  id: string;
  poolId: string;
  kind: 'correction' | 'carry-over-out' | 'carry-over-in';
  /** Signed: negative lowered the pool. */
  amountOre: number;
  motivation: string;
  reference: string | null;
  /** The other pool of a carry-over, and its year. */
  counterpartPoolId: string | null;
  counterpartYear: number | null;
  createdBy: string;
  createdAt: string;
}

export interface DistributionView {
  id: string;
  poolId: string;
  decidedBy: string;
  decisionDate: string;
  reference: string;
  motivation: string | null;
  totalOre: number;
  /** The total per scope, always all three, in the order county, sub-regional, local. */
  byScope: { scope: DistributionScope; amountOre: number }[];
  lines: { scope: DistributionScope; recipient: string; priorityAreaId: string | null; amountOre: number }[];
  createdBy: string;
  createdAt: string;
}

export interface PoolDetail<P> {
  pool: P;
  /** Corrections and carry-overs, in the order they were recorded. */
  adjustments: AdjustmentView[];
  /** The prioritisation decision in force: the newest. */
  distribution: DistributionView | null;
  /** Undistributed: what the pool has beyond the distribution in force (all of it without one). */
  undistributedOre: number;
  /** Decisions the newest replaced, newest first. */
  earlierDistributions: DistributionView[];
}

export function createPoolChanges<P extends PoolFigures>(
  db: Db,
  programmes: Pick<ProgrammeService, 'get'>,
  audit: MoneyAudit,
  now: () => Date,
  pools: (programmeId: string, year?: number) => P[],
) {
  function poolOf(programmeId: string, poolId: string): P {
    const pool = pools(programmeId).find((p) => p.id === poolId);
    if (!pool) throw new DomainError('not-found', `no grant pool ${poolId}`);
    return pool;
  }

  function adjustmentsOf(poolIds: string[]): AdjustmentView[] {
    if (poolIds.length === 0) return [];
    const rows = db
      .select()
      .from(poolAdjustments)
      .where(inArray(poolAdjustments.poolId, poolIds))
      .orderBy(sql`${poolAdjustments}.rowid`)
      .all();
    const counterparts = rows.flatMap((r) => (r.counterpartPoolId ? [r.counterpartPoolId] : []));
    const years = new Map(
      counterparts.length === 0
        ? []
        : db
            .select({ id: grantPools.id, year: grantPools.year })
            .from(grantPools)
            .where(inArray(grantPools.id, counterparts))
            .all()
            .map((p) => [p.id, p.year]),
    );
    return rows.map((r) => ({
      id: r.id,
      poolId: r.poolId,
      kind: r.kind,
      amountOre: r.amountOre,
      motivation: r.motivation,
      reference: r.reference,
      counterpartPoolId: r.counterpartPoolId,
      counterpartYear: r.counterpartPoolId ? (years.get(r.counterpartPoolId) ?? null) : null,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
    }));
  }

  /** Every distribution of the pools, newest first per pool. */
  function distributionsOf(poolIds: string[]): DistributionView[] {
    if (poolIds.length === 0) return [];
    const rows = db
      .select()
      .from(poolDistributions)
      .where(inArray(poolDistributions.poolId, poolIds))
      .orderBy(desc(sql`${poolDistributions}.rowid`))
      .all();
    if (rows.length === 0) return [];
    const lines = db
      .select()
      .from(poolDistributionLines)
      .where(
        inArray(
          poolDistributionLines.distributionId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(poolDistributionLines.distributionId), asc(poolDistributionLines.line))
      .all();
    return rows.map((r) => {
      const mine = lines
        .filter((l) => l.distributionId === r.id)
        .map((l) => ({ scope: l.scope, recipient: l.recipient, priorityAreaId: l.priorityAreaId, amountOre: l.amountOre }));
      return {
        id: r.id,
        poolId: r.poolId,
        decidedBy: r.decidedBy,
        decisionDate: r.decisionDate,
        reference: r.reference,
        motivation: r.motivation,
        totalOre: mine.reduce((sum, l) => sum + l.amountOre, 0),
        byScope: DISTRIBUTION_SCOPES.map((scope) => ({
          scope,
          amountOre: mine.filter((l) => l.scope === scope).reduce((sum, l) => sum + l.amountOre, 0),
        })),
        lines: mine,
        createdBy: r.createdBy,
        createdAt: r.createdAt,
      };
    });
  }

  function poolDetail(programmeId: string, poolId: string): PoolDetail<P> {
    const pool = poolOf(programmeId, poolId);
    const [distribution, ...earlier] = distributionsOf([poolId]);
    return {
      pool,
      adjustments: adjustmentsOf([poolId]),
      distribution: distribution ?? null,
      undistributedOre: pool.amountOre - (distribution?.totalOre ?? 0),
      earlierDistributions: earlier,
    };
  }

  const transaction = <T>(work: () => T) => db.transaction(work, { behavior: 'immediate' });

  return {
    poolDetail,

    /**
     * Corrects a pool's amount (by a signed change, or to a new amount), with a motivation kept
     * beside it and in the audit. Refused when the pool would have less than nothing.
     */
    correctPool(programmeId: string, actorId: string, poolId: string, input: unknown): PoolDetail<P> {
      const body = parsed(correctionSchema, input, 'the correction');
      transaction(() => {
        const pool = poolOf(programmeId, poolId);
        const path = body.amountOre === undefined ? 'body.newAmountOre' : 'body.amountOre';
        const change = body.amountOre ?? body.newAmountOre! - pool.amountOre;
        if (change === 0) throw refused('the correction', path, `the pool already has ${pool.amountOre} öre`);
        const after = pool.amountOre + change;
        if (after < 0) {
          throw refused(
            'the correction',
            path,
            `${pool.name} has ${pool.amountOre} öre: lowering it by ${-change} öre would leave less than nothing`,
          );
        }
        const id = crypto.randomUUID();
        db.insert(poolAdjustments)
          .values({
            id,
            poolId,
            programmeId,
            kind: 'correction',
            amountOre: change,
            motivation: body.motivation,
            reference: body.reference ?? null,
            createdBy: actorId,
            createdAt: now().toISOString(),
          })
          .run();
        audit.record({
          actorId,
          programmeId,
          action: 'pool.corrected',
          reason: body.motivation,
          details: {
            poolId,
            adjustmentId: id,
            year: pool.year,
            pool: pool.kind,
            beforeOre: pool.amountOre,
            afterOre: after,
            changeOre: change,
            ...(body.reference ? { reference: body.reference } : {}),
          },
        });
      });
      return poolDetail(programmeId, poolId);
    },

    /**
     * Carries money left in a year's pool over to the next year's pool of the same kind, by a
     * recorded decision: an outgoing line on the one and an incoming line on the other.
     */
    carryOver(programmeId: string, actorId: string, input: unknown): { from: P; to: P; adjustments: AdjustmentView[] } {
      const body = parsed(carryOverSchema, input, 'the carry-over');
      const { from, to } = transaction(() => {
        const source = pools(programmeId, body.fromYear).find((p) => p.kind === body.kind);
        if (!source) throw refused('the carry-over', 'body.fromYear', `the programme has no ${body.kind} pool for ${body.fromYear}`);
        const toYear = body.fromYear + 1;
        const target = pools(programmeId, toYear).find((p) => p.kind === body.kind);
        if (!target) {
          throw refused(
            'the carry-over',
            'body.fromYear',
            `set up the ${body.kind} pool for ${toYear} first: the money carried over arrives there`,
          );
        }
        if (body.amountOre > source.remainingOre) {
          throw refused(
            'the carry-over',
            'body.amountOre',
            `${body.amountOre} öre is more than the ${Math.max(0, source.remainingOre)} öre left in ${source.name}`,
          );
        }
        const at = now().toISOString();
        const common = { programmeId, motivation: body.motivation, reference: body.reference, createdBy: actorId, createdAt: at };
        const [outId, inId] = [crypto.randomUUID(), crypto.randomUUID()];
        db.insert(poolAdjustments)
          .values([
            { ...common, id: outId, poolId: source.id, kind: 'carry-over-out', amountOre: -body.amountOre, counterpartPoolId: target.id },
            { ...common, id: inId, poolId: target.id, kind: 'carry-over-in', amountOre: body.amountOre, counterpartPoolId: source.id },
          ])
          .run();
        audit.record({
          actorId,
          programmeId,
          action: 'pool.carried-over',
          reason: body.motivation,
          details: {
            fromPoolId: source.id,
            toPoolId: target.id,
            fromYear: body.fromYear,
            toYear,
            pool: body.kind,
            amountOre: body.amountOre,
            reference: body.reference,
            ...(body.decidedAt ? { decidedAt: body.decidedAt } : {}),
          },
        });
        return { from: source, to: target };
      });
      const after = pools(programmeId);
      return {
        from: after.find((p) => p.id === from.id)!,
        to: after.find((p) => p.id === to.id)!,
        adjustments: adjustmentsOf([from.id, to.id])
          .filter((a) => a.kind !== 'correction')
          .slice(-2),
      };
    },

    /**
     * Records a prioritisation decision distributing the pool between county-wide,
     * sub-regional and local purposes. It replaces the one before (which stays listed).
     */
    distributePool(programmeId: string, actorId: string, poolId: string, input: unknown): PoolDetail<P> {
      const body = parsed(distributionSchema, input, 'the distribution');
      const config = programmes.get(programmeId)!;
      const areas = new Set(allAreas(config).map((a) => a.id));
      const municipalities = new Set(config.municipalities);
      const errors: { path: string; message: string }[] = [];
      const seen = new Set<string>();
      body.lines.forEach((line, i) => {
        const path = `body.lines.${i}`;
        if (line.scope === 'county' && line.recipient !== '')
          errors.push({ path: `${path}.recipient`, message: 'a county-wide line has no recipient' });
        if (line.scope === 'sub-regional' && line.recipient === '')
          errors.push({ path: `${path}.recipient`, message: 'name the sub-region (or municipality) it goes to' });
        if (line.scope === 'local' && !municipalities.has(line.recipient))
          errors.push({
            path: `${path}.recipient`,
            message:
              line.recipient === '' ? 'name the municipality it goes to' : `${line.recipient} is not one of the programme's municipalities`,
          });
        if (line.priorityAreaId !== undefined && !areas.has(line.priorityAreaId))
          errors.push({ path: `${path}.priorityAreaId`, message: `no priority area ${line.priorityAreaId} in the programme` });
        const key = JSON.stringify([line.scope, line.recipient, line.priorityAreaId ?? null]);
        if (seen.has(key)) errors.push({ path, message: 'the same purpose is listed twice: put it on one line' });
        seen.add(key);
      });
      if (errors.length > 0) throw new DomainError('validation-failed', 'the distribution is not valid', { errors });
      const total = body.lines.reduce((sum, l) => sum + l.amountOre, 0);
      transaction(() => {
        const pool = poolOf(programmeId, poolId);
        if (total > pool.amountOre) {
          throw refused(
            'the distribution',
            'body.lines',
            `the lines total ${total} öre, more than the ${pool.amountOre} öre ${pool.name} has`,
          );
        }
        const id = crypto.randomUUID();
        db.insert(poolDistributions)
          .values({
            id,
            poolId,
            programmeId,
            decidedBy: body.decidedBy,
            decisionDate: body.decisionDate,
            reference: body.reference,
            motivation: body.motivation ?? null,
            createdBy: actorId,
            createdAt: now().toISOString(),
          })
          .run();
        db.insert(poolDistributionLines)
          .values(
            body.lines.map((l, line) => ({
              distributionId: id,
              line,
              scope: l.scope,
              recipient: l.recipient,
              priorityAreaId: l.priorityAreaId ?? null,
              amountOre: l.amountOre,
            })),
          )
          .run();
        audit.record({
          actorId,
          programmeId,
          action: 'pool.distributed',
          reason: body.motivation ?? null,
          details: {
            poolId,
            distributionId: id,
            year: pool.year,
            pool: pool.kind,
            totalOre: total,
            decidedBy: body.decidedBy,
            decisionDate: body.decisionDate,
            reference: body.reference,
          },
        });
      });
      return poolDetail(programmeId, poolId);
    },

    /** Corrections and carry-overs of a programme's pools (of a year, if given), in the order recorded. */
    adjustments(programmeId: string, year?: number): (AdjustmentView & { year: number; pool: PoolKind })[] {
      const mine = pools(programmeId, year);
      const byId = new Map(mine.map((p) => [p.id, p]));
      return adjustmentsOf(mine.map((p) => p.id)).map((a) => ({ ...a, year: byId.get(a.poolId)!.year, pool: byId.get(a.poolId)!.kind }));
    },

    /** The distribution in force of each of a programme's pools that has one (of a year, if given). */
    distributions(programmeId: string, year?: number): (DistributionView & { year: number; pool: PoolKind })[] {
      const mine = pools(programmeId, year);
      const inForce = new Map<string, DistributionView>();
      for (const d of distributionsOf(mine.map((p) => p.id))) if (!inForce.has(d.poolId)) inForce.set(d.poolId, d);
      return mine.flatMap((p) => {
        const d = inForce.get(p.id);
        return d ? [{ ...d, year: p.year, pool: p.kind }] : [];
      });
    },
  };
}
