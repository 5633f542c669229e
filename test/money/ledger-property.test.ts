import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PayloadOf } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { FULL_STORY, storyUntilStep, type StoryStep } from '../../src/demo/story.js';
import { DomainError } from '../../src/errors.js';
import { loadProgrammeDefinition } from '../../src/programmes/config.js';
import {
  PROGRAMME,
  advance,
  createCase,
  createCaseOnVersion,
  createTestApp,
  refusalRecords,
  tableCounts,
  type TestApp,
} from '../helpers.js';
import { assertFormatsAgree } from '../reports/agree.js';

/*
 * Money over its life, by generated sequences: payments, repayments, releases, corrections,
 * carry-overs, further decisions, follow-ups that stop an initiative and initiatives that end,
 * run through the services on a programme with state and joint pools over several years and
 * cases granted money from them. After every step the figures that are not true by construction
 * are computed again from the rows with SQL of their own and compared with what the money
 * service says:
 *
 *   - per case and pool: released + paid + unpaid = committed, unpaid ≥ 0, paid − repaid ≥ 0,
 *     paid ≤ committed − released; the service's figures are the rows' sums;
 *   - per pool: amount = first amount + adjustments ≥ 0, remaining = amount − (committed −
 *     released − repaid), and the service's figures are the rows' sums;
 *   - the priority areas (sub-areas rolled into their parent) add up to each pool's figures;
 *   - what leaves year Y's pool by carry-over arrives in year Y + 1's pool of the same kind;
 *   - a refused command changes nothing at all.
 *
 * A second property runs shorter sequences and, after every step, asks for the report of
 * every year as JSON, CSV and Excel and checks that they agree cell by cell.
 *
 * Each run is wrapped in a savepoint that is rolled back, so runs are independent and start
 * from the same programme.
 */

let t: TestApp;

/** Blekinge with two sub-areas, so that rolling up into the parent area is tested. */
const SUB_AREAS: Record<string, string> = { 'unga-vuxna': 'barn-och-unga', skolan: 'suicidprevention' };
const topArea = (area: string | null) => (area === null ? null : (SUB_AREAS[area] ?? area));

type Kind = 'state' | 'joint';
interface Line {
  year: number;
  amountOre: number;
  pool: Kind;
}
/** Approved at set-up: their areas and what the director granted. */
const APPROVED: { area: string; lines: Line[] }[] = [
  {
    area: 'barn-och-unga',
    lines: [
      { year: 2026, amountOre: 400_000, pool: 'state' },
      { year: 2027, amountOre: 300_000, pool: 'state' },
    ],
  },
  {
    area: 'unga-vuxna',
    lines: [
      { year: 2026, amountOre: 200_000, pool: 'state' },
      { year: 2026, amountOre: 300_000, pool: 'joint' },
    ],
  },
  {
    area: 'suicidprevention',
    lines: [
      { year: 2026, amountOre: 200_000, pool: 'joint' },
      { year: 2027, amountOre: 250_000, pool: 'joint' },
      { year: 2028, amountOre: 100_000, pool: 'state' },
    ],
  },
  { area: 'skolan', lines: [{ year: 2027, amountOre: 350_000, pool: 'state' }] },
  {
    area: 'samsjuklighet',
    lines: [
      { year: 2026, amountOre: 150_000, pool: 'state' },
      { year: 2027, amountOre: 100_000, pool: 'joint' },
      { year: 2027, amountOre: 100_000, pool: 'state' },
    ],
  },
];
/** Awaiting the director's decision at set-up: a run may decide them. */
const WAITING = ['tidiga-insatser', 'skolan'];
const ids: string[] = [];

const decision = FULL_STORY.find((s) => s.type === 'RECORD_DECISION')!.payload as PayloadOf<'RECORD_DECISION'>;
const followUp = FULL_STORY.find((s) => s.type === 'RECORD_FOLLOW_UP')!.payload as PayloadOf<'RECORD_FOLLOW_UP'>;
const ended = FULL_STORY.find((s) => s.type === 'END_INITIATIVE')!.payload;

/** The story up to the decision, with the case's own area (and the decision's own lines). */
function storyOf(area: string, lines?: Line[]): StoryStep[] {
  return storyUntilStep(10)
    .filter((s) => lines !== undefined || s.type !== 'RECORD_DECISION')
    .map((s) => {
      if (s.type === 'ASSESS_ELIGIBLE') return { ...s, payload: { ...(s.payload as object), priorityAreaId: area } } as StoryStep;
      if (s.type === 'RECORD_DECISION') return { ...s, payload: { ...decision, grantedBudget: lines } } as StoryStep;
      return s;
    });
}

beforeAll(async () => {
  t = await createTestApp();
  const blekinge = loadProgrammeDefinition(PROGRAMME);
  t.services.programmes.upsert({
    ...blekinge,
    priorityAreas: blekinge.priorityAreas.map((a) => ({
      ...a,
      subAreas: Object.entries(SUB_AREAS)
        .filter(([, parent]) => parent === a.id)
        .map(([id]) => ({ id, label: { sv: id, en: id } })),
    })),
  });
  const sqlite = t.services.db.$client;
  // Small state pools, so that money runs out; joint pools for 2026 and 2027 only (none for
  // 2025 or 2028: carrying over to a year without a pool, or from one, is refused).
  for (const [year, amount] of [
    [2025, 1_000_000],
    [2026, 3_000_000],
    [2027, 3_000_000],
    [2028, 2_000_000],
  ]) {
    sqlite
      .prepare("UPDATE grant_pools SET amount_ore = ? WHERE programme_id = ? AND year = ? AND kind = 'state'")
      .run(amount, PROGRAMME, year);
  }
  for (const year of [2026, 2027]) {
    t.services.money.createPool(PROGRAMME, t.actors.administrator.id, {
      year,
      kind: 'joint',
      name: `Gemensam ${year}`,
      amountOre: 1_500_000,
      earmarks: year === 2026 ? [{ priorityAreaId: 'suicidprevention', amountOre: 500_000 }] : [],
    });
  }
  for (const [i, c] of APPROVED.entries()) {
    // On machine version 2 the steering group follows up without the initiator's report (version 4 needs one per date).
    const id = createCaseOnVersion(t, 2, `Beviljad ${i}`);
    const contact = { type: 'CONTACT_COORDINATORS', role: 'initiator', payload: { message: 'Vi vill pröva en idé.' } } as StoryStep;
    advance(t, id, [contact, ...storyOf(c.area, c.lines)]);
    ids.push(id);
  }
  for (const [i, area] of WAITING.entries()) {
    const id = await createCase(t, `Väntar ${i}`);
    advance(t, id, storyOf(area));
    ids.push(id);
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------- commands

/** An amount: a plain one, or exactly what the rule allows, or one öre more. */
const amount = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 200_000 }) },
  { weight: 1, arbitrary: fc.constant('all' as const) },
  { weight: 1, arbitrary: fc.constant('all+1' as const) },
);
type Amount = number | 'all' | 'all+1';
const year = fc.constantFrom(2025, 2026, 2027, 2028);
const kind = fc.constantFrom<Kind>('state', 'joint');
const caseIndex = fc.nat({ max: APPROVED.length + WAITING.length - 1 });

const movement = <K extends 'payment' | 'repayment' | 'release'>(op: K) =>
  fc.record({ op: fc.constant(op), c: caseIndex, line: fc.nat(), amount });

/** Money acts often; what ends an initiative or decides a case now and then. */
const commandArbitrary = fc.oneof(
  { weight: 4, arbitrary: movement('payment') },
  { weight: 3, arbitrary: movement('repayment') },
  { weight: 2, arbitrary: movement('release') },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('correction' as const), year, kind, up: fc.boolean(), amount }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('carry-over' as const), year, kind, amount }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('decision' as const),
      w: fc.nat({ max: WAITING.length - 1 }),
      lines: fc.array(
        fc.record({ year: fc.constantFrom(2026, 2027, 2028), pool: kind, amountOre: fc.integer({ min: 1, max: 1_500_000 }) }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('follow-up' as const),
      c: caseIndex,
      spent: fc.integer({ min: 0, max: 1_000_000 }),
      stop: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('end' as const), c: caseIndex }) },
);
type Command = typeof commandArbitrary extends fc.Arbitrary<infer C> ? C : never;

const resolve = (a: Amount, allowed: number) => (a === 'all' ? allowed : a === 'all+1' ? allowed + 1 : a);

/** Sends a case event through the engine, as the role's test user. */
function send(caseId: string, role: Role, type: 'RECORD_DECISION' | 'RECORD_FOLLOW_UP' | 'END_INITIATIVE', payload: unknown) {
  const { version } = t.services.db.$client.prepare('SELECT version FROM cases WHERE id = ?').get(caseId) as { version: number };
  t.services.cases.send(t.actors[role], caseId, { type, payload, role }, version, 'sv', { minimal: true });
}

function run(command: Command) {
  const money = t.services.money;
  const admin = t.actors.administrator.id;
  switch (command.op) {
    case 'payment':
    case 'repayment':
    case 'release': {
      // A repayment is drawn from what was paid: from the next case, and its pools, with something paid, if any.
      const paidFrom = (i: number) => money.caseMoney(ids[i]!).pools.filter((p) => p.paidOre > p.repaidOre);
      const c =
        command.op !== 'repayment'
          ? command.c
          : (ids.map((_, k) => (command.c + k) % ids.length).find((i) => paidFrom(i).length > 0) ?? command.c);
      const caseId = ids[c]!;
      const all = money.caseMoney(caseId).pools;
      const pools = command.op === 'repayment' && paidFrom(c).length > 0 ? paidFrom(c) : all;
      const target =
        pools.length > 0
          ? pools[command.line % pools.length]!
          : { year: 2026, pool: 'state' as Kind, unpaidOre: 0, paidOre: 0, repaidOre: 0 };
      const allowed = command.op === 'repayment' ? target.paidOre - target.repaidOre : target.unpaidOre;
      const input = {
        year: target.year,
        pool: target.pool,
        amountOre: resolve(command.amount, allowed),
        date: '2026-06-30',
        motivation: 'Genererat i testet.',
      };
      const actor = c % 2 === 0 ? t.actors.finance.id : t.actors['county-coordinator'].id;
      if (command.op === 'payment') money.recordPayment(caseId, actor, input);
      else if (command.op === 'repayment') money.recordRepayment(caseId, actor, input);
      else money.releaseCommitment(caseId, actor, input);
      return;
    }
    case 'correction': {
      const pool = money.pools(PROGRAMME, command.year).find((p) => p.kind === command.kind);
      // A pool that does not exist: the service must say so (and write nothing).
      const poolId = pool?.id ?? '00000000-0000-4000-8000-000000000000';
      const size = resolve(command.amount, pool?.amountOre ?? 0);
      money.correctPool(PROGRAMME, admin, poolId, { amountOre: command.up ? size : -size, motivation: 'Genererad rättelse.' });
      return;
    }
    case 'carry-over': {
      const pool = money.pools(PROGRAMME, command.year).find((p) => p.kind === command.kind);
      money.carryOver(PROGRAMME, admin, {
        fromYear: command.year,
        kind: command.kind,
        amountOre: resolve(command.amount, Math.max(0, pool?.remainingOre ?? 0)),
        reference: 'Genererat beslut',
        motivation: 'Genererad överföring.',
      });
      return;
    }
    case 'decision':
      send(ids[APPROVED.length + command.w]!, 'regional-director', 'RECORD_DECISION', { ...decision, grantedBudget: command.lines });
      return;
    case 'follow-up':
      send(ids[command.c]!, 'steering-group', 'RECORD_FOLLOW_UP', {
        ...followUp,
        spentToDateOre: command.spent,
        conclusion: command.stop ? 'stop' : 'continue',
      });
      return;
    case 'end':
      send(ids[command.c]!, 'steering-group', 'END_INITIATIVE', ended);
      return;
  }
}

// ---------------------------------------------------------------- the invariants, from the rows

const sqlite = () => t.services.db.$client;

interface RawLine {
  case_id: string;
  pool_id: string;
  area: string | null;
  committed: number;
  paid: number;
  repaid: number;
  released: number;
}

function rawLines(): RawLine[] {
  return sqlite()
    .prepare(
      `SELECT c.case_id, c.pool_id, min(c.priority_area_id) AS area, sum(c.amount_ore) AS committed,
         (SELECT total(amount_ore) FROM grant_movements m WHERE m.case_id = c.case_id AND m.pool_id = c.pool_id AND m.kind = 'payment') AS paid,
         (SELECT total(amount_ore) FROM grant_movements m WHERE m.case_id = c.case_id AND m.pool_id = c.pool_id AND m.kind = 'repayment') AS repaid,
         (SELECT total(amount_ore) FROM grant_movements m WHERE m.case_id = c.case_id AND m.pool_id = c.pool_id AND m.kind = 'release') AS released
       FROM commitments c WHERE c.programme_id = ? GROUP BY c.case_id, c.pool_id`,
    )
    .all(PROGRAMME) as RawLine[];
}

function checkInvariants() {
  const money = t.services.money;
  const lines = rawLines();

  // No movement without a commitment behind it.
  const orphans = sqlite()
    .prepare(
      'SELECT count(*) AS n FROM grant_movements m WHERE NOT EXISTS (SELECT 1 FROM commitments c WHERE c.case_id = m.case_id AND c.pool_id = m.pool_id)',
    )
    .get() as { n: number };
  expect(orphans.n).toBe(0);

  // Per case and pool.
  for (const caseId of ids) {
    const view = money.caseMoney(caseId);
    const mine = lines.filter((l) => l.case_id === caseId);
    expect(view.pools.length).toBe(mine.length);
    for (const raw of mine) {
      const p = view.pools.find((x) => x.poolId === raw.pool_id)!;
      expect([p.committedOre, p.paidOre, p.repaidOre, p.releasedOre]).toEqual([raw.committed, raw.paid, raw.repaid, raw.released]);
      expect(raw.released + raw.paid + p.unpaidOre).toBe(raw.committed);
      expect(p.unpaidOre).toBeGreaterThanOrEqual(0);
      expect(raw.paid - raw.repaid).toBeGreaterThanOrEqual(0);
      expect(raw.paid).toBeLessThanOrEqual(raw.committed - raw.released);
    }
    expect(view.committedOre).toBe(mine.reduce((s, l) => s + l.committed, 0));
    expect(view.unpaidOre).toBe(view.committedOre - view.paidOre - view.releasedOre);
  }

  // Per pool.
  const rawPools = sqlite()
    .prepare(
      `SELECT p.id, p.year, p.kind, p.amount_ore AS initial,
         (SELECT total(amount_ore) FROM pool_adjustments a WHERE a.pool_id = p.id) AS adjusted,
         (SELECT total(amount_ore) FROM commitments c WHERE c.pool_id = p.id) AS committed,
         (SELECT total(amount_ore) FROM grant_movements m WHERE m.pool_id = p.id AND m.kind = 'payment') AS paid,
         (SELECT total(amount_ore) FROM grant_movements m WHERE m.pool_id = p.id AND m.kind = 'repayment') AS repaid,
         (SELECT total(amount_ore) FROM grant_movements m WHERE m.pool_id = p.id AND m.kind = 'release') AS released
       FROM grant_pools p WHERE p.programme_id = ?`,
    )
    .all(PROGRAMME) as {
    id: string;
    year: number;
    kind: Kind;
    initial: number;
    adjusted: number;
    committed: number;
    paid: number;
    repaid: number;
    released: number;
  }[];
  const views = money.pools(PROGRAMME);
  expect(views.length).toBe(rawPools.length);
  for (const raw of rawPools) {
    const v = views.find((p) => p.id === raw.id)!;
    const amountOre = raw.initial + raw.adjusted;
    expect(v.amountOre).toBe(amountOre);
    expect(amountOre).toBeGreaterThanOrEqual(0);
    expect([v.committedOre, v.paidOre, v.repaidOre, v.releasedOre]).toEqual([raw.committed, raw.paid, raw.repaid, raw.released]);
    expect(v.remainingOre).toBe(amountOre - (raw.committed - raw.released - raw.repaid));
    expect(v.unpaidOre).toBe(raw.committed - raw.paid - raw.released);
  }

  // The areas add up to the totals: the service's, and the rows' own roll-up.
  const ledger = money.ledger(PROGRAMME);
  for (const v of views) {
    const areas = ledger.byArea.filter((a) => a.poolId === v.id);
    for (const key of ['committedOre', 'paidOre', 'repaidOre', 'releasedOre', 'unpaidOre'] as const) {
      expect(
        areas.reduce((s, a) => s + a[key], 0),
        `${v.year} ${v.kind} ${key}`,
      ).toBe(v[key]);
    }
    const rolled = new Map<string | null, number>();
    for (const l of lines.filter((x) => x.pool_id === v.id))
      rolled.set(topArea(l.area), (rolled.get(topArea(l.area)) ?? 0) + l.committed - l.released);
    for (const [area, net] of rolled) {
      const a = areas.find((x) => x.priorityAreaId === area)!;
      expect(a.committedOre - a.releasedOre).toBe(net);
    }
    expect(areas.length).toBe(rolled.size);
    // Sub-areas never appear on their own.
    expect(areas.every((a) => a.priorityAreaId === null || !(a.priorityAreaId in SUB_AREAS))).toBe(true);
  }

  // What leaves one year arrives in the next, pool by pool.
  const carried = sqlite()
    .prepare(
      `SELECT a.kind, a.amount_ore, p.year, p.kind AS pool, q.year AS counterpart_year, q.kind AS counterpart_pool
       FROM pool_adjustments a JOIN grant_pools p ON p.id = a.pool_id LEFT JOIN grant_pools q ON q.id = a.counterpart_pool_id
       WHERE a.programme_id = ? AND a.kind <> 'correction'`,
    )
    .all(PROGRAMME) as { kind: string; amount_ore: number; year: number; pool: Kind; counterpart_year: number; counterpart_pool: Kind }[];
  for (const y of [2025, 2026, 2027, 2028]) {
    for (const k of ['state', 'joint'] as const) {
      const out = carried.filter((c) => c.kind === 'carry-over-out' && c.year === y && c.pool === k).reduce((s, c) => s - c.amount_ore, 0);
      const arrived = carried
        .filter((c) => c.kind === 'carry-over-in' && c.year === y + 1 && c.pool === k)
        .reduce((s, c) => s + c.amount_ore, 0);
      expect(arrived).toBe(out);
    }
  }
  for (const c of carried) {
    expect(c.counterpart_pool).toBe(c.pool);
    expect(c.counterpart_year).toBe(c.kind === 'carry-over-out' ? c.year + 1 : c.year - 1);
    expect(Math.sign(c.amount_ore)).toBe(c.kind === 'carry-over-out' ? -1 : 1);
  }
}

/** Everything a command could change: row counts, amounts, and the cases' versions. */
function fingerprint() {
  const sums = sqlite()
    .prepare(
      `SELECT (SELECT total(amount_ore) FROM grant_movements) AS moved, (SELECT total(amount_ore) FROM pool_adjustments) AS adjusted,
         (SELECT total(amount_ore) FROM commitments) AS committed, (SELECT total(amount_ore) FROM grant_pools) AS pools,
         (SELECT total(version) FROM cases) AS versions`,
    )
    .get();
  return JSON.stringify([tableCounts(t), refusalRecords(t), sums]);
}

// ---------------------------------------------------------------- the property

it('generated sequences of money acts keep every figure consistent after every step', () => {
  const outcomes = new Map<string, { done: number; refused: number }>();
  const tally = (op: string, done: boolean) => {
    const o = outcomes.get(op) ?? { done: 0, refused: 0 };
    o[done ? 'done' : 'refused'] += 1;
    outcomes.set(op, o);
  };
  fc.assert(
    fc.property(fc.array(commandArbitrary, { minLength: 1, maxLength: 25 }), (commands) => {
      sqlite().exec('SAVEPOINT property_run');
      try {
        checkInvariants();
        for (const command of commands) {
          const before = fingerprint();
          try {
            run(command);
            tally(command.op, true);
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            tally(command.op, false);
            expect(fingerprint(), `${command.op} was refused (${error.code}: ${error.message}) but changed something`).toBe(before);
          }
          checkInvariants();
        }
      } finally {
        sqlite().exec('ROLLBACK TO property_run');
        sqlite().exec('RELEASE property_run');
      }
    }),
    { numRuns: 50 },
  );
  if (process.env.MONEY_PROPERTY_TALLY) console.log(Object.fromEntries(outcomes));
  // The sequences did reach both sides of every rule.
  for (const op of ['payment', 'repayment', 'release', 'correction', 'carry-over', 'decision', 'follow-up', 'end']) {
    const o = outcomes.get(op);
    expect(o?.done ?? 0, `${op} succeeded`).toBeGreaterThan(0);
    expect(o?.refused ?? 0, `${op} was refused`).toBeGreaterThan(0);
  }
}, 180_000);

/** The years with pools at set-up: what the report is asked for after each step. */
const REPORT_YEARS = [2025, 2026, 2027, 2028];

it('after every step of a generated sequence, the report of every year agrees cell by cell as JSON, CSV and Excel', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(commandArbitrary, { minLength: 1, maxLength: 8 }), async (commands) => {
      sqlite().exec('SAVEPOINT report_run');
      try {
        for (const command of commands) {
          try {
            run(command);
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
          }
          for (const year of REPORT_YEARS) {
            const { report } = await assertFormatsAgree(t, PROGRAMME, year);
            // The areas (sub-areas rolled into their parent) add up to the year's totals.
            const granted = report.byPriorityArea.reduce((sum, a) => sum + a.grantedOre, 0);
            expect(granted).toBe(report.initiatives.reduce((sum, i) => sum + i.grantedOre, 0));
          }
        }
      } finally {
        sqlite().exec('ROLLBACK TO report_run');
        sqlite().exec('RELEASE report_run');
      }
    }),
    { numRuns: 10 },
  );
}, 180_000);
