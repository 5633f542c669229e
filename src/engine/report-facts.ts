import type { CaseContext } from '../../machines/case/context.js';

/*
 * What the reports read of a case's context, written with the case (the engine's projection,
 * src/engine/case-store.ts) into `cases.report_facts` as a small JSON: the reports read it
 * from the index `cases_report`, which holds every column they need, and never a case's whole
 * snapshot. A database from before it was added gets it from the snapshots in migration
 * 0018_report_facts, which derives the same object in SQL (test/reports/facts.test.ts holds
 * the two to the same report).
 *
 * Written as SQL writes it: a key without a value is null, a list is always there.
 */

export interface ReportFacts {
  /** The decision (the public export, and the day an imported one counts from). */
  decision: { decision: string; decidedOn: string | null; at: string; reference: string | null } | null;
  scope: { level: 'county' | 'sub-regional' | 'local'; municipalities: string[] } | null;
  indicators: { id: string; name: string; unit: string; baseline?: number; target: number; description?: string }[];
  followUps: { date: string; spentToDateOre: number; indicatorValues: { indicatorId: string; value: number }[] }[];
  scaleUpDecision: string | null;
  scaleUpRecommendation: string | null;
}

/** The facts of a case's context, as the JSON written beside its snapshot. */
export function reportFacts(ctx: CaseContext): string {
  const d = ctx.decision;
  const facts: ReportFacts = {
    decision: d ? { decision: d.decision, decidedOn: d.decidedOn ?? null, at: d.at, reference: d.reference ?? null } : null,
    scope: ctx.proposal.scope ?? null,
    indicators: ctx.proposal.indicators ?? [],
    followUps: ctx.followUps.map((f) => ({ date: f.date, spentToDateOre: f.spentToDateOre, indicatorValues: f.indicatorValues })),
    scaleUpDecision: ctx.scaleUpDecision?.decision ?? null,
    scaleUpRecommendation: ctx.scaleUpRecommendation?.recommendation ?? null,
  };
  return JSON.stringify(facts);
}

/** The facts as written; a case written before they were (none in a migrated database) has none. */
export function readFacts(json: string | null): ReportFacts {
  const f = (json ? JSON.parse(json) : {}) as Partial<ReportFacts>;
  return {
    decision: f.decision ?? null,
    scope: f.scope ?? null,
    indicators: f.indicators ?? [],
    followUps: f.followUps ?? [],
    scaleUpDecision: f.scaleUpDecision ?? null,
    scaleUpRecommendation: f.scaleUpRecommendation ?? null,
  };
}
