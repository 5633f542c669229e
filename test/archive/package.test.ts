import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootFolderOf } from '../../src/archive/model.js';
import { FULL_STORY, RECORDED_AT_CREATION } from '../../src/demo/story.js';
import { loadProgrammeDefinition } from '../../src/programmes/config.js';
import { multipart, PDF } from '../documents/multipart.js';
import {
  advance,
  auth,
  createCase,
  createTestApp,
  json,
  mainText,
  nothingWritten,
  pageSession,
  PROGRAMME,
  sendEvent,
  type TestApp,
} from '../helpers.js';
import { all, checkPackage, child, parseXml, unzip, xmllint } from './sip.js';

/*
 * A closed case delivered to the e-archive: a full story told over the API with a document
 * added, its E-ARK SIP package opened as a zip, every XML file validated against the
 * committed schemas, every checksum checked against METS, the CSIP and SIP requirements the
 * schemas cannot express checked by id; deliveries recorded, one case or a year.
 */

let t: TestApp;
let closed: string;
let entries: Map<string, Buffer>;
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const admin = () => auth(t.tokens.administrator);

async function closedCase(title: string) {
  const id = await createCase(t, title);
  const body = multipart([
    { name: 'description', value: 'Underlaget som det lämnades in' },
    { name: 'file', fileName: 'Underlag för satsningen (slutlig).pdf', type: 'application/pdf', bytes: PDF },
  ]);
  const added = await t.app.inject({
    method: 'POST',
    url: `/api/cases/${id}/documents`,
    headers: { ...auth(t.tokens.initiator), ...body.headers },
    payload: body.payload,
  });
  expect(added.statusCode).toBe(201);
  for (const step of FULL_STORY) {
    if (RECORDED_AT_CREATION.includes(step.type)) continue;
    const res = await sendEvent(t, id, t.tokens[step.role], { type: step.type, payload: step.payload, role: step.role });
    expect(res.statusCode, `${step.type}: ${res.body}`).toBe(200);
  }
  return id;
}

const download = (id: string, headers = admin()) => t.app.inject({ method: 'GET', url: `/api/cases/${id}/archive-package`, headers });

beforeAll(async () => {
  t = await createTestApp();
  closed = await closedCase('Stödgrupper för unga vuxna');
  const res = await download(closed);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/zip');
  entries = await unzip(res.rawPayload);
}, 60_000);
afterAll(() => t.close());

describe("a closed case's package", () => {
  it('opens as a zip with one root folder named by the package id', () => {
    const mets = parseXml([...entries].find(([k]) => k.endsWith('/METS.xml') && k.split('/').length === 2)![1].toString('utf8'));
    const root = rootFolderOf(mets.attrs.OBJID!);
    expect([...new Set([...entries.keys()].map((k) => k.split('/')[0]))]).toEqual([root]);
    const files = [...entries.keys()].map((k) => k.slice(root.length + 1)).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'METS.xml',
        'metadata/descriptive/ERMS.xml',
        'metadata/preservation/premis.xml',
        'documentation/om-paketet.html',
        'schemas/mets.xsd',
        'schemas/ERMS.xsd',
        'schemas/premis.xsd',
        'representations/rep1/METS.xml',
        'representations/rep1/metadata/preservation/premis.xml',
        'representations/rep1/data/arende.html',
        'representations/rep1/data/historik.html',
        'representations/rep1/data/dokument/001-Underlag-for-satsningen-slutlig-.pdf',
      ]),
    );
  });

  it('has every XML file valid against the published schemas (xmllint --nonet, through the catalog)', () => {
    const xml = new Map([...entries].filter(([k]) => k.endsWith('.xml')));
    expect(xml.size).toBe(5);
    const { ok, output } = xmllint(xml);
    expect(ok, output).toBe(true);
  });

  it('meets the CSIP and SIP requirements the schemas cannot express, and every checksum and size matches METS', () => {
    expect(checkPackage(entries)).toEqual([]);
  });

  it('fails the check when one byte of a file is changed', () => {
    const tampered = new Map(entries);
    const [name, bytes] = [...entries].find(([k]) => k.endsWith('.pdf'))!;
    const changed = Buffer.from(bytes);
    changed[10] = changed[10]! ^ 0xff;
    tampered.set(name, changed);
    expect(checkPackage(tampered)).toEqual([expect.stringMatching(/dokument\/001-.*\.pdf: its checksum does not match METS/)]);
  });

  it('fails validation when the metadata breaks its schema', () => {
    const [name, bytes] = [...entries].find(([k]) => k.endsWith('metadata/descriptive/ERMS.xml'))!;
    const broken = bytes.toString('utf8').replace('aggregationType="caseFile"', 'aggregationType="folder"');
    expect(xmllint(new Map([[name, Buffer.from(broken)]])).ok).toBe(false);
  });

  it('describes the case in ERMS with its records creator, classification code, decision and documents', () => {
    const erms = parseXml([...entries].find(([k]) => k.endsWith('ERMS.xml'))![1].toString('utf8'));
    const aggregation = all(erms, 'aggregation')[0]!;
    const archive = loadProgrammeDefinition(PROGRAMME).archive!;
    expect(aggregation.attrs.aggregationType).toBe('caseFile');
    expect(child(aggregation, 'objectId')!.text).toMatch(/^UPH-2026-\d{4}$/);
    expect(child(aggregation, 'classification')!.attrs.classificationCode).toBe(archive.classificationCode);
    expect(child(aggregation, 'title')!.text).toBe('Stödgrupper för unga vuxna');
    const creator = all(aggregation, 'agent').find((a) => a.attrs.agentType === 'creator')!;
    expect(child(creator, 'name')!.text).toBe(archive.recordsCreator.name);
    expect(child(creator, 'idNumber')!.text).toBe(archive.recordsCreator.organisationNumber);
    const records = all(aggregation, 'record');
    expect(records.map((r) => r.attrs.recordType)).toEqual(['beslut', 'handläggningshistorik', 'dokument']);
    expect(child(records[0]!, 'title')!.text).toBe('Beslut: Bevilja');
    // Each record's file is where its appendix says.
    const root = [...entries.keys()][0]!.split('/')[0]!;
    for (const appendix of all(aggregation, 'appendix')) {
      expect(entries.has(`${root}/${appendix.attrs.path!.replace(/^\.\.\/\.\.\//, '')}`), appendix.attrs.path).toBe(true);
    }
  });

  it('keeps in PREMIS each file with its fixity, and the case’s events and the package’s creation', () => {
    const premis = parseXml(
      [...entries].find(([k]) => k.endsWith('/metadata/preservation/premis.xml') && !k.includes('rep1'))![1].toString('utf8'),
    );
    const events = all(premis, 'eventType').map((e) => e.text);
    expect(events).toEqual(expect.arrayContaining(['creation', 'decision', 'ingestion', 'accession']));
    const rep = parseXml([...entries].find(([k]) => k.includes('rep1/metadata/preservation/premis.xml'))![1].toString('utf8'));
    const pdf = [...entries].find(([k]) => k.endsWith('.pdf'))![1];
    const digests = all(rep, 'messageDigest').map((d) => d.text);
    expect(digests).toContain(sha256(pdf));
    expect(all(rep, 'originalName').map((n) => n.text)).toContain('Underlag för satsningen (slutlig).pdf');
  });

  it('renders the case and its history as HTML in Swedish, with no link into Satsa', () => {
    const page = [...entries].find(([k]) => k.endsWith('arende.html'))![1].toString('utf8');
    expect(page).toContain('<html lang="sv">');
    expect(page).toContain('Stödgrupper för unga vuxna');
    expect(page).toContain('href="dokument/001-Underlag-for-satsningen-slutlig-.pdf"');
    expect(page).not.toMatch(/href="\/cases/);
    const history = [...entries].find(([k]) => k.endsWith('historik.html'))![1].toString('utf8');
    expect(history).toContain('Dokumentet Underlag för satsningen (slutlig).pdf lades till');
  });

  it('records nothing when only downloaded to look at', async () => {
    const res = await nothingWritten(t, () => download(closed));
    expect(res.statusCode).toBe(200);
  });
});

describe('who may, and what is refused', () => {
  it('a running case is refused with 409, naming why, and nothing is written', async () => {
    const running = await createCase(t, 'Ett pågående ärende');
    for (const send of [
      () => download(running),
      () =>
        t.app.inject({
          method: 'POST',
          url: `/api/programmes/${PROGRAMME}/archive-deliveries`,
          headers: admin(),
          payload: { caseIds: [closed, running] },
        }),
    ]) {
      const res = await nothingWritten(t, send);
      expect(res.statusCode).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json(res)).toMatchObject({ code: 'conflict', reason: 'case-running' });
    }
  });

  it('only the programme’s administrator may; a programme without archive settings is refused', async () => {
    for (const token of [t.tokens['county-coordinator'], t.tokens.initiator, t.foreignCoordinator.token]) {
      const res = await nothingWritten(t, () => download(closed, auth(token)));
      expect([403, 404]).toContain(res.statusCode);
    }
    const config = loadProgrammeDefinition(PROGRAMME);
    t.services.programmes.upsert({ ...config, archive: undefined });
    try {
      const res = await nothingWritten(t, () => download(closed));
      expect(res.statusCode).toBe(409);
      expect(json(res)).toMatchObject({ reason: 'no-archive-settings' });
    } finally {
      t.services.programmes.upsert(config);
    }
  });

  it('a bad request names the failing field', async () => {
    const res = await nothingWritten(t, () =>
      t.app.inject({ method: 'POST', url: `/api/programmes/${PROGRAMME}/archive-deliveries`, headers: admin(), payload: { year: 'last' } }),
    );
    expect(res.statusCode).toBe(422);
  });
});

describe('delivery', () => {
  it('records a row with the package’s checksum and size, and ARCHIVE_DELIVERED on the case, named in words', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/programmes/${PROGRAMME}/archive-deliveries`,
      headers: admin(),
      payload: { caseIds: [closed] },
    });
    expect(res.statusCode, res.body).toBe(201);
    const [delivery] = json<{ items: { id: string; sha256: string; size: number; caseId: string; packageName: string }[] }>(res).items;
    expect(delivery!.caseId).toBe(closed);
    const file = await t.app.inject({
      method: 'GET',
      url: `/api/programmes/${PROGRAMME}/archive-deliveries/${delivery!.id}/package`,
      headers: admin(),
    });
    expect(file.statusCode).toBe(200);
    expect(sha256(file.rawPayload)).toBe(delivery!.sha256);
    expect(file.rawPayload.length).toBe(delivery!.size);
    expect(checkPackage(await unzip(file.rawPayload))).toEqual([]);
    const history = json<{ events: { type: string; label: string; payload: unknown }[] }>(
      await t.app.inject({
        method: 'GET',
        url: `/api/cases/${closed}/history?limit=500`,
        headers: { ...admin(), 'accept-language': 'sv' },
      }),
    );
    const event = history.events.at(-1)!;
    expect(event).toMatchObject({
      type: 'ARCHIVE_DELIVERED',
      label: 'Levererat till e-arkivet',
      payload: { deliveryId: delivery!.id, sha256: delivery!.sha256 },
    });
    const list = json<{ items: { id: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/programmes/${PROGRAMME}/archive-deliveries`, headers: admin() }),
    );
    expect(list.items.map((i) => i.id)).toContain(delivery!.id);
  });

  it('a year holds exactly the cases closed that year, one package each', async () => {
    t.clock.set('2027-03-01T10:00:00.000Z');
    const later = await createCase(t, 'Ett ärende som avslutas 2027');
    advance(
      t,
      later,
      FULL_STORY.filter((s) => !RECORDED_AT_CREATION.includes(s.type)),
    );
    const deliver = async (year: number) =>
      json<{ items: { caseId: string }[] }>(
        await t.app.inject({ method: 'POST', url: `/api/programmes/${PROGRAMME}/archive-deliveries`, headers: admin(), payload: { year } }),
      ).items.map((i) => i.caseId);
    expect(await deliver(2027)).toEqual([later]);
    expect(await deliver(2026)).toEqual([closed]);
    expect(await deliver(2025)).toEqual([]);
  });
});

describe('the administrator’s page', () => {
  it('lists the closed cases with their deliveries, and delivers one after a confirmation', async () => {
    const page = pageSession(t, t.actors.administrator);
    const english = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'administrator-en@test.satsa.se',
      displayName: 'English administrator',
      roles: ['administrator'],
      language: 'en',
    });
    for (const [actor, words] of [
      [t.actors.administrator, ['Leverans till e-arkivet', 'Avslutade ärenden', 'Leverera ett helt år']],
      [english, ['Delivery to the e-archive', 'Closed cases', 'Deliver a whole year']],
    ] as const) {
      const res = await pageSession(t, actor).get('/programme/archive');
      expect(res.statusCode).toBe(200);
      const text = mainText(res.body);
      for (const w of words) expect(text).toContain(w);
      expect(text).toContain('Stödgrupper för unga vuxna');
      // No internal id is shown to a person.
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
    const confirm = await page.get(`/programme/archive/deliver?case=${closed}`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Bekräfta leveransen');
    const before = t.services.archive.deliveries(t.actors.administrator, PROGRAMME).items.length;
    const done = await page.post('/programme/archive/deliver', { case: closed });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/programme/archive?delivered=1');
    expect(t.services.archive.deliveries(t.actors.administrator, PROGRAMME).items.length).toBe(before + 1);
    const coordinator = pageSession(t, t.actors['county-coordinator']);
    expect((await coordinator.get('/programme/archive')).statusCode).toBe(403);
  });
});
