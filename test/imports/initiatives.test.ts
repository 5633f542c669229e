import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTables, XLSX_TYPE } from '../../src/imports/table.js';
import { auth, createTestApp, FAR_FUTURE, nothingWritten, OTHER_PROGRAMME, PROGRAMME, type TestApp } from '../helpers.js';
import { expectReplayReproduces } from '../replay.js';
import { startSmtp, type TestSmtp } from '../smtp.js';

/*
 * Decided initiatives imported from a spreadsheet (issue 15): a dry run, the import, and the
 * same file again creating nothing; a bad row named by row and column with nothing written;
 * imported cases replaying to their snapshots and showing the day they were decided; no
 * reminder for a follow-up date already past, and a future one's reminder by real SMTP.
 */

const base = `/api/programmes/${PROGRAMME}/imports/initiatives`;
const HEADER =
  'Diarienummer;Rubrik;Beskrivning;Fokusområde;Beslutsdatum;Beslutande organ;Beslutsreferens;Beviljat belopp;Uppföljningsdatum;Slutdatum';

function csv(...rows: string[]) {
  return Buffer.from([HEADER, ...rows].join('\r\n') + '\r\n', 'utf8');
}

// The test clock starts on 2026-01-15 09:00 UTC; the pools of 2025–2028 are there.
const ROW_WITH_NUMBER =
  'UPH-2025-0007;Stöd i skolan;Samtalsstöd för elever.;Barn och unga;2025-03-15;Regiondirektören;RS 2025/123 § 12;250 000;"2025-09-30; 2026-03-31";2026-12-31';
const ROW_WITHOUT_NUMBER =
  ';Äldres psykiska hälsa;Träffpunkter för äldre.;Barn och unga;2025-05-02;Regiondirektören;RS 2025/200 § 3;120000,50;2026-01-10;';

let t: TestApp;

/** A session of the administrator, as a browser has it. */
function login() {
  const session = t.services.people.createSession(t.actors.administrator.id, 1);
  return `satsa_session=${session.token}`;
}
let smtp: TestSmtp;
let areaName: string;
let englishAdmin: string;

async function post(body: Buffer, options: { dryRun?: boolean; type?: string; token?: string; lang?: string; fileName?: string } = {}) {
  const query = new URLSearchParams({
    dryRun: String(options.dryRun ?? true),
    ...(options.fileName ? { fileName: options.fileName } : {}),
  });
  return t.app.inject({
    method: 'POST',
    url: `${base}?${query}`,
    headers: {
      ...auth(options.token ?? (options.lang === 'en' ? englishAdmin : t.tokens.administrator)),
      'content-type': options.type ?? 'text/csv',
    },
    payload: body,
  });
}

interface Preview {
  creates: { row: number; text: string }[];
  existing: { row: number; text: string }[];
  errors: { row?: number; column?: string; message: string }[];
  imported?: boolean;
}

const fileOf = (...rows: string[]) => csv(...rows.map((r) => r.replace('Barn och unga', areaName)));

beforeAll(async () => {
  smtp = await startSmtp(0);
  t = await createTestApp({
    env: { SATSA_SMTP_HOST: '127.0.0.1', SATSA_SMTP_PORT: String(smtp.port), SATSA_MAIL_FROM: 'Satsa <satsa@test.satsa.se>' },
  });
  areaName = t.services.programmes.get(PROGRAMME)!.priorityAreas[0]!.label.sv;
  const english = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'english-admin@test.satsa.se',
    displayName: 'English administrator',
    roles: ['administrator'],
    language: 'en',
  });
  englishAdmin = t.services.people.createApiToken(english.id, 'test', FAR_FUTURE).token;
});

afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('importing decided initiatives', () => {
  it('offers a template as CSV and as Excel, with the headers in the caller’s language', async () => {
    const csvTemplate = await t.app.inject({ method: 'GET', url: `${base}/template?format=csv`, headers: auth(t.tokens.administrator) });
    expect(csvTemplate.statusCode).toBe(200);
    expect(csvTemplate.headers['content-type']).toContain('text/csv');
    expect(csvTemplate.body).toContain('Beslutsdatum');
    const xlsx = await t.app.inject({
      method: 'GET',
      url: `${base}/template?format=xlsx`,
      headers: auth(englishAdmin),
    });
    expect(xlsx.statusCode).toBe(200);
    const [table] = await readTables(xlsx.rawPayload);
    expect(table!.sheet).toBe('Initiatives');
    expect(table!.columns).toContain('Decision date');
    // Only the administrator imports; another programme's people do not see it.
    expect((await post(fileOf(ROW_WITH_NUMBER), { token: t.tokens['county-coordinator'] })).statusCode).toBe(403);
    const foreign = await t.app.inject({
      method: 'GET',
      url: `/api/programmes/${PROGRAMME}/imports/initiatives/template`,
      headers: auth(t.foreignCoordinator.token),
    });
    expect(foreign.statusCode).toBe(404);
    expect(OTHER_PROGRAMME).not.toBe(PROGRAMME);
  });

  it('refuses a file that is neither CSV nor Excel (415), and one it cannot read (422)', async () => {
    const wrongType = await nothingWritten(t, () => post(Buffer.from('{}'), { type: 'application/json' }));
    expect(wrongType.statusCode).toBe(415);
    const unreadable = await nothingWritten(t, () => post(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), { type: XLSX_TYPE }));
    expect(unreadable.statusCode).toBe(422);
    expect(unreadable.json().errors[0].message).toContain('Excel');
  });

  it('a bad row names its row and column, and nothing is imported', async () => {
    const bad = fileOf(ROW_WITH_NUMBER, ROW_WITHOUT_NUMBER.replace('2025-05-02', '2025-13-02').replace('120000,50', 'mycket'));
    const dry = await nothingWritten(t, () => post(bad));
    expect(dry.statusCode, dry.body).toBe(200);
    const preview = dry.json<Preview>();
    expect(preview.errors).toEqual([
      { row: 3, column: 'Beslutsdatum', message: expect.stringContaining('2025-13-02') },
      { row: 3, column: 'Beviljat belopp', message: expect.stringContaining('mycket') },
    ]);
    const refused = await nothingWritten(t, () => post(bad, { dryRun: false }));
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const problem = refused.json<{ errors: { path: string; message: string }[]; importErrors: unknown[] }>();
    expect(problem.errors[0]).toEqual({ path: 'row.3.Beslutsdatum', message: expect.stringMatching(/^Rad 3, kolumn Beslutsdatum: /) });
    expect(problem.importErrors).toHaveLength(2);

    // In English, the messages too.
    const english = await post(bad, { lang: 'en' });
    expect(english.json<Preview>().errors[0]!.message).toContain('is not a date');

    // Unknown area, a year without a pool, a diary number of the wrong form, twice in the file.
    const more = await nothingWritten(t, () =>
      post(
        fileOf(
          ROW_WITH_NUMBER.replace('Barn och unga', 'Okänt område'),
          ROW_WITHOUT_NUMBER.replace('2025-05-02', '2024-05-02'),
          ROW_WITH_NUMBER.replace('UPH-2025-0007', 'XYZ-1'),
          ROW_WITH_NUMBER.replace('Stöd i skolan', 'Annan rubrik'),
          ROW_WITH_NUMBER.replace('Stöd i skolan', 'Annan rubrik'),
        ),
      ),
    );
    const errors = more.json<Preview>().errors.map((e) => [e.row, e.column]);
    expect(errors).toEqual([
      [2, 'Fokusområde'],
      [3, 'Beslutsdatum'],
      [4, 'Diarienummer'],
      [6, 'Diarienummer'],
    ]);
    expect(more.json<Preview>().errors[1]!.message).toContain('utanför programmets år');
    expect(more.json<Preview>().errors[3]!.message).toContain('rad 5');

    // A year of the programme without a pool: record the pool first.
    t.services.programmes.upsert({ ...t.services.programmes.get(PROGRAMME)!, years: { first: 2024, last: 2030 } });
    const noPool = await nothingWritten(t, () => post(fileOf(ROW_WITHOUT_NUMBER.replace('2025-05-02', '2024-05-02'))));
    expect(noPool.json<Preview>().errors).toEqual([
      { row: 2, column: 'Beviljat belopp', message: expect.stringContaining('ingen pott med statsbidrag för 2024') },
    ]);
  });

  let ids: string[] = [];

  it('dry run, import, and the same file again creates nothing', async () => {
    const file = fileOf(ROW_WITH_NUMBER, ROW_WITHOUT_NUMBER);
    const dry = await nothingWritten(t, () => post(file));
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json<Preview>()).toMatchObject({
      creates: [
        { row: 2, text: 'Satsning UPH-2025-0007: Stöd i skolan' },
        { row: 3, text: 'Satsning UPH-2025-0008: Äldres psykiska hälsa' },
      ],
      existing: [],
      errors: [],
    });

    const imported = await post(file, { dryRun: false, fileName: 'beslut-2025.csv' });
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json<Preview>().imported).toBe(true);
    const rows = t.services.db.$client
      .prepare(
        'SELECT c.id, c.diary_number, c.machine_version, i.row, i.file_name FROM case_imports i JOIN cases c ON c.id = i.case_id ORDER BY i.row',
      )
      .all() as { id: string; diary_number: string; machine_version: number; row: number; file_name: string }[];
    expect(rows.map((r) => [r.diary_number, r.machine_version, r.row, r.file_name])).toEqual([
      ['UPH-2025-0007', 3, 2, 'beslut-2025.csv'],
      ['UPH-2025-0008', 3, 3, 'beslut-2025.csv'],
    ]);
    ids = rows.map((r) => r.id);

    const again = await nothingWritten(t, () => post(file, { dryRun: false }));
    expect(again.statusCode).toBe(200);
    expect(again.json<Preview>()).toMatchObject({ creates: [], existing: [{ row: 2 }, { row: 3 }], errors: [], imported: false });
  });

  it('keeps a diary number from the file, and the counter never hands it out again', async () => {
    const counter = t.services.db.$client
      .prepare('SELECT last FROM diary_counters WHERE programme_id = ? AND year = 2025')
      .get(PROGRAMME) as {
      last: number;
    };
    expect(counter.last).toBe(8);
    // A later file taking a number already used is refused for that row.
    const taken = await nothingWritten(t, () =>
      post(fileOf(ROW_WITH_NUMBER.replace('Stöd i skolan', 'Ny rubrik').replace('UPH-2025-0007', 'UPH-2025-0008'))),
    );
    expect(taken.json<Preview>().errors).toEqual([{ row: 2, column: 'Diarienummer', message: expect.stringContaining('används redan') }]);
  });

  it('imported cases replay to their snapshots, run at step 10 and show their real decision date', async () => {
    for (const id of ids) expectReplayReproduces(t.services.db.$client, id);
    const view = await t.app.inject({ method: 'GET', url: `/api/cases/${ids[0]}`, headers: auth(t.tokens['county-coordinator']) });
    expect(view.statusCode, view.body).toBe(200);
    const data = view.json<{
      steps: number[];
      data: { decision: { decidedOn: string; decidedBy: string; at: string; reference: string } };
    }>();
    expect(data.steps).toEqual([10, 11, 12]);
    expect(data.data.decision).toMatchObject({ decidedOn: '2025-03-15', decidedBy: 'Regiondirektören', reference: 'RS 2025/123 § 12' });
    expect(data.data.decision.at).toBe('2026-01-15T09:00:00.000Z');
    const history = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${ids[0]}/history`,
      headers: auth(t.tokens['county-coordinator']),
    });
    const events = history.json<{ events: { type: string; label: string }[] }>().events;
    expect(events.map((e) => e.type)).toEqual(['CASE_CREATED', 'IMPORT_DECIDED']);
    expect(events[1]!.label).toContain('beslutad 2025-03-15 av Regiondirektören');
    const page = await t.app.inject({ method: 'GET', url: `/cases/${ids[0]}`, headers: auth(t.tokens['county-coordinator']) });
    expect(page.body).toContain('2025-03-15');
    // The money counts in the decision's year.
    expect(t.services.money.grantedTo(ids[0]!)).toEqual([{ year: 2025, amountOre: 25_000_000 }]);
    expect(t.services.money.grantedTo(ids[1]!)).toEqual([{ year: 2025, amountOre: 12_000_050 }]);
    const report = await t.app.inject({
      method: 'GET',
      url: `/api/programmes/${PROGRAMME}/reports/2025`,
      headers: auth(t.tokens['county-coordinator']),
    });
    const initiatives = report.json<{ initiatives: { diaryNumber: string; grantedOre: number }[] }>().initiatives;
    expect(initiatives.find((i) => i.diaryNumber === 'UPH-2025-0007')?.grantedOre).toBe(25_000_000);
    const open = await t.app.inject({ method: 'GET', url: `/api/public/programmes/${PROGRAMME}/initiatives` });
    expect(
      open
        .json<{ initiatives: { diaryNumber: string; decisionDate: string }[] }>()
        .initiatives.find((i) => i.diaryNumber === 'UPH-2025-0007')?.decisionDate,
    ).toBe('2025-03-15');
  });

  it('sets no reminder or escalation for a follow-up date already past; a future one is reminded by real SMTP at its time', async () => {
    const timers = (caseId: string) =>
      t.services.db.$client
        .prepare("SELECT kind, due_at, data FROM timers WHERE case_id = ? AND status = 'pending' ORDER BY due_at")
        .all(caseId) as {
        kind: string;
        due_at: string;
        data: string;
      }[];
    // Case 1: 2025-09-30 is past (nothing), 2026-03-31 is ahead (a reminder and an escalation).
    const first = timers(ids[0]!);
    expect(first.map((x) => [x.kind, JSON.parse(x.data).followUpDate])).toEqual([
      ['follow-up-reminder', '2026-03-31'],
      ['follow-up-overdue', '2026-03-31'],
    ]);
    // Case 2: its only date, 2026-01-10, was before the import: no timer at all.
    expect(timers(ids[1]!)).toEqual([]);

    // Nothing is due at the import, and no e-mail went out for it.
    expect(t.services.scheduler.runDue().fired).toBe(0);
    await t.services.relay.drain();
    expect(smtp.received).toHaveLength(0);

    const reminderAt = first[0]!.due_at;
    t.clock.set(new Date(new Date(reminderAt).getTime() - 1000).toISOString());
    expect(t.services.scheduler.runDue().fired).toBe(0);
    t.clock.set(reminderAt);
    expect(t.services.scheduler.runDue()).toMatchObject({ fired: 1, failed: 0 });
    expect(await t.services.relay.drain()).toBeGreaterThan(0);
    expect(smtp.received.length).toBeGreaterThan(0);
    expect(
      smtp.received.some((m) => (m.mail.text ?? '').includes('UPH-2025-0007') || (m.mail.subject ?? '').includes('UPH-2025-0007')),
    ).toBe(true);
  });

  it('reads an Excel workbook the same way, with English headers', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Initiatives');
    sheet.addRow([
      'Title',
      'Description',
      'Focus area',
      'Decision date',
      'Deciding body',
      'Decision reference',
      'Granted amount',
      'Follow-up dates',
    ]);
    sheet.addRow([
      'Stöd till anhöriga',
      'Samtalsgrupper.',
      areaName,
      new Date(Date.UTC(2025, 9, 1)),
      'Regiondirektören',
      'RS 2025/300',
      90000,
      '2026-06-30',
    ]);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const dry = await post(bytes, { type: XLSX_TYPE, lang: 'en' });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json<Preview>()).toMatchObject({ creates: [{ row: 2, text: 'Initiative UPH-2025-0009: Stöd till anhöriga' }], errors: [] });
    const done = await post(bytes, { type: XLSX_TYPE, dryRun: false });
    expect(done.statusCode, done.body).toBe(201);
    expect((await post(bytes, { type: XLSX_TYPE, dryRun: false })).json<Preview>().existing).toHaveLength(1);
  });

  it('the pages: choose, upload with an error, see it named, upload a fixed file, confirm', async () => {
    const cookie = login();
    const choose = await t.app.inject({ method: 'GET', url: '/programme/import', headers: { cookie } });
    expect(choose.statusCode).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(choose.body)![1]!;
    const upload = (bytes: Buffer, token = csrf) => {
      const boundary = '----satsa' + Math.random().toString(16).slice(2);
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n`),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="satsningar.csv"\r\nContent-Type: text/csv\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return t.app.inject({
        method: 'POST',
        url: '/programme/import/initiatives',
        headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: body,
      });
    };
    const row = ';Sidans satsning;Via sidan.;Barn och unga;2025-06-01;Regiondirektören;RS 2025/77;10 000;2026-09-30;';
    expect((await upload(fileOf(row), 'fel')).statusCode).toBe(403);
    const bad = await upload(fileOf(row.replace('2025-06-01', '1 juni')));
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Rad 2, kolumn Beslutsdatum: ”1 juni” är inget datum');
    const good = await upload(fileOf(row));
    expect(good.statusCode, good.body).toBe(200);
    expect(good.body).toContain('Importera 1 satsning');
    const sha = /name="sha256" value="([0-9a-f]{64})"/.exec(good.body)![1]!;
    const done = await t.app.inject({
      method: 'POST',
      url: '/programme/import/initiatives/confirm',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(csrf)}&sha256=${sha}`,
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain('Sidans satsning');
    const settings = await t.app.inject({ method: 'GET', url: '/programme/settings', headers: { cookie } });
    expect(settings.body).toContain('href="/programme/import"');
  });
});
