import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createCase, createTestApp, json, nothingWritten, type TestApp } from '../helpers.js';
import { ELF, everyFile, multipart, PDF, sha256, type Part } from './multipart.js';

/*
 * Documents on a case over the API: real multipart bodies, real files under the data
 * directory, the real database. Every refusal leaves no file and no row.
 */

/** Above the server's body limit (1 MiB), as a document's limit is: the file's own limit counts. */
const MAX = 2 * 1024 * 1024;
let t: TestApp;
let caseId: string;
let root: string;

beforeAll(async () => {
  t = await createTestApp({ env: { SATSA_DOCUMENT_MAX_BYTES: String(MAX) } });
  caseId = await createCase(t, 'Ett ärende med dokument');
  root = path.join(t.dir, 'documents');
});
afterAll(async () => {
  await t.close();
});

const upload = (token: string, parts: Part[], o: { cut?: boolean; headers?: Record<string, string>; id?: string } = {}) => {
  const body = multipart(parts, o);
  return t.app.inject({
    method: 'POST',
    url: `/api/cases/${o.id ?? caseId}/documents`,
    headers: { ...auth(token), ...body.headers, ...o.headers },
    payload: body.payload,
  });
};
const file = (bytes: Buffer, fileName: string): Part => ({ name: 'file', fileName, bytes, type: 'application/pdf' });
const list = (token: string, id = caseId) => t.app.inject({ method: 'GET', url: `/api/cases/${id}/documents`, headers: auth(token) });
const download = (token: string, documentId: string, id = caseId) =>
  t.app.inject({ method: 'GET', url: `/api/cases/${id}/documents/${documentId}/file`, headers: auth(token) });
const withdraw = (token: string, documentId: string, reason: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/documents/${documentId}/withdraw`,
    headers: { ...auth(token), ...headers },
    payload: { reason },
  });
const history = async () =>
  json<{ events: { type: string; label: string; payload: Record<string, unknown> }[] }>(
    await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/history`, headers: auth(t.tokens.initiator) }),
  ).events;

interface Doc {
  id: string;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  description: string | null;
  status: string;
  statusLabel: string;
  addedBy: { id: string; displayName: string | null };
  replacesId: string | null;
  replacedById: string | null;
  withdrawn: { by: { id: string }; reason: string } | null;
}

const NAME = 'Protokoll "slut"; del 1/2 åäö.pdf';

describe('adding, listing and downloading', () => {
  it('an initiator attaches a PDF to their case; it is listed and downloads byte for byte, with a safe name', async () => {
    const res = await upload(t.tokens.initiator, [{ name: 'description', value: 'Protokollet från mötet' }, file(PDF, NAME)]);
    expect(res.statusCode, res.body).toBe(201);
    const doc = json<Doc>(res);
    expect(doc).toMatchObject({
      fileName: NAME,
      mediaType: 'application/pdf',
      size: PDF.length,
      sha256: sha256(PDF),
      description: 'Protokollet från mötet',
      status: 'current',
      statusLabel: 'Gällande',
      addedBy: { id: t.actors.initiator.id, displayName: 'Test initiator' },
      withdrawn: null,
    });
    // The case was at version 2 (raised, and sent to the coordinators with it); the document makes it 3.
    expect(res.headers.etag).toBe('"3"');
    expect(everyFile(root)).toEqual([path.join(root, doc.sha256.slice(0, 2), doc.sha256)]);

    const listed = json<{ items: Doc[]; version: number }>(await list(t.tokens['county-coordinator']));
    expect(listed.version).toBe(3);
    expect(listed.items.map((d) => d.id)).toEqual([doc.id]);

    const got = await download(t.tokens.initiator, doc.id);
    expect(got.statusCode).toBe(200);
    expect(sha256(got.rawPayload)).toBe(sha256(PDF));
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.headers['content-disposition']).toBe(
      `attachment; filename="Protokoll _slut__ del 1_2 aao.pdf"; filename*=UTF-8''Protokoll%20%22slut%22%3B%20del%201%2F2%20%C3%A5%C3%A4%C3%B6.pdf`,
    );
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['cache-control']).toBe('private, no-store');

    const events = await history();
    expect(events.at(-1)).toMatchObject({
      type: 'DOCUMENT_ADDED',
      payload: { documentId: doc.id },
      label: `Dokumentet ${NAME} lades till`,
    });
  });

  it('a file larger than the server’s body limit but within the documents’ is taken', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(1536 * 1024, 0x20)]);
    const res = await upload(t.tokens.initiator, [file(big, 'stor men tillåten.pdf')]);
    expect(res.statusCode, res.body).toBe(201);
    expect(json<Doc>(res).size).toBe(big.length);
  });

  it('UTF-8 text and CSV are taken; the same content twice is one file', async () => {
    const csv = Buffer.from('namn;belopp\nÅsa;100\n');
    const a = json<Doc>(await upload(t.tokens.initiator, [file(csv, 'budget.csv')]));
    const b = json<Doc>(await upload(t.tokens['county-coordinator'], [file(csv, 'kopia.txt')]));
    expect([a.mediaType, b.mediaType]).toEqual(['text/csv', 'text/plain']);
    expect(a.sha256).toBe(b.sha256);
    expect(everyFile(root).filter((f) => f.endsWith(a.sha256))).toHaveLength(1);
    const got = await download(t.tokens.initiator, b.id);
    expect(got.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(got.body).toBe(csv.toString());
  });
});

describe('refused files leave no file and no row', () => {
  const cases: [string, Part[], number, string, { cut?: boolean }?][] = [
    ['too big', [file(Buffer.concat([PDF, Buffer.alloc(MAX)]), 'stor.pdf')], 413, 'Filen är för stor. Den får vara högst 2 MB.'],
    [
      'of a type not taken (GIF)',
      [file(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'bild.gif')],
      415,
      'Filen kan inte läggas till',
    ],
    ['a renamed program', [file(ELF, 'rapport.pdf')], 415, 'Filen kan inte läggas till'],
    ['empty', [file(Buffer.alloc(0), 'tom.pdf')], 422, 'Filen är tom.'],
    ['text that is not UTF-8', [file(Buffer.from([0x61, 0xe5, 0x0a]), 'latin1.txt')], 422, 'Spara den som UTF-8'],
    [
      'cut off halfway',
      [file(Buffer.concat([PDF, Buffer.alloc(4000, 0x20)]), 'halv.pdf')],
      422,
      'Filen kom inte fram hela.',
      { cut: true },
    ],
    ['not sent', [{ name: 'description', value: 'ingen fil' }], 422, 'Välj en fil att lägga till.'],
  ];
  it.each(cases)('a file %s: a clear problem naming the field `file`', async (_what, parts, status, message, o) => {
    const before = everyFile(root);
    const res = await nothingWritten(t, () => upload(t.tokens.initiator, parts, o ?? {}));
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = json<{ errors: { path: string; message: string }[]; detail: string }>(res);
    expect(problem.errors[0]!.path).toBe('file');
    expect(problem.errors[0]!.message).toContain(message);
    expect(everyFile(root)).toEqual(before);
  });

  it('the message is in English for an English caller', async () => {
    t.services.people.updatePreferences(t.actors['county-coordinator'].id, { language: 'en' });
    try {
      const res = await upload(t.tokens['county-coordinator'], [file(ELF, 'rapport.pdf')]);
      expect(json<{ errors: { message: string }[] }>(res).errors[0]!.message).toMatch(/^The file cannot be added/);
    } finally {
      t.services.people.updatePreferences(t.actors['county-coordinator'].id, { language: 'sv' });
    }
  });

  it('a body that is not multipart is a 415', async () => {
    const res = await nothingWritten(t, () =>
      t.app.inject({ method: 'POST', url: `/api/cases/${caseId}/documents`, headers: auth(t.tokens.initiator), payload: { file: 'x' } }),
    );
    expect(res.statusCode).toBe(415);
  });
});

describe('who may', () => {
  it('someone who may not see the case gets 404 on the list, adding and downloading, and nothing is written', async () => {
    const docId = json<{ items: Doc[] }>(await list(t.tokens.initiator)).items[0]!.id;
    for (const token of [t.otherInitiator.token, t.foreignCoordinator.token]) {
      const before = everyFile(root);
      expect((await list(token)).statusCode).toBe(404);
      expect((await nothingWritten(t, () => upload(token, [file(Buffer.from('%PDF-1.4 annan\n'), 'x.pdf')]))).statusCode).toBe(404);
      expect((await download(token, docId)).statusCode).toBe(404);
      expect((await nothingWritten(t, () => withdraw(token, docId, 'Fel'))).statusCode).toBe(404);
      expect(everyFile(root)).toEqual(before);
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/documents` })).statusCode).toBe(401);
    expect((await download(t.tokens.initiator, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('a programme role who did not add it may not withdraw it; a county coordinator may', async () => {
    const doc = json<Doc>(await upload(t.tokens.initiator, [file(Buffer.from('%PDF-1.4 tas bort\n'), 'fel.pdf')]));
    expect((await nothingWritten(t, () => withdraw(t.tokens['local-coordinator'], doc.id, 'Fel fil'))).statusCode).toBe(403);
    const res = await withdraw(t.tokens['county-coordinator'], doc.id, 'Fel fil');
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Doc>(res).withdrawn).toMatchObject({ by: { id: t.actors['county-coordinator'].id }, reason: 'Fel fil' });
  });
});

describe('replacing and withdrawing', () => {
  it('a newer document replaces a current one; both stay, the history says so', async () => {
    const old = json<Doc>(await upload(t.tokens.initiator, [file(Buffer.from('%PDF-1.4 version 1\n'), 'budget v1.pdf')]));
    const res = await upload(t.tokens.initiator, [
      file(Buffer.from('%PDF-1.4 version 2\n'), 'budget v2.pdf'),
      { name: 'replaces', value: old.id },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const newer = json<Doc>(res);
    expect(newer.replacesId).toBe(old.id);
    const items = json<{ items: Doc[] }>(await list(t.tokens.initiator)).items;
    expect(items.find((d) => d.id === old.id)).toMatchObject({ status: 'replaced', replacedById: newer.id, statusLabel: 'Ersatt' });
    expect((await history()).at(-1)).toMatchObject({
      type: 'DOCUMENT_REPLACED',
      payload: { documentId: newer.id, replacesId: old.id },
      label: 'Dokumentet budget v2.pdf lades till och ersatte budget v1.pdf',
    });
    // The replaced one is a record: it still downloads; it cannot be replaced again.
    expect((await download(t.tokens.initiator, old.id)).statusCode).toBe(200);
    const again = await nothingWritten(t, () => upload(t.tokens.initiator, [file(PDF, 'v3.pdf'), { name: 'replaces', value: old.id }]));
    expect(again.statusCode).toBe(409);
    const junk = await nothingWritten(t, () => upload(t.tokens.initiator, [file(PDF, 'v3.pdf'), { name: 'replaces', value: 'nej' }]));
    expect(junk.statusCode).toBe(422);
    expect(json<{ errors: { path: string }[] }>(junk).errors[0]!.path).toBe('replaces');
  });

  it('a document is withdrawn with a reason, once; it stays listed, downloadable and in the history', async () => {
    const doc = json<Doc>(await upload(t.tokens.initiator, [file(Buffer.from('%PDF-1.4 dras tillbaka\n'), 'utkast.pdf')]));
    const empty = await nothingWritten(t, () => withdraw(t.tokens.initiator, doc.id, '  '));
    expect(empty.statusCode).toBe(422);
    expect(json<{ errors: { path: string }[] }>(empty).errors.map((e) => e.path)).toContain('body.reason');
    const res = await withdraw(t.tokens.initiator, doc.id, 'Fel version');
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Doc>(res)).toMatchObject({ status: 'withdrawn', statusLabel: 'Tillbakadraget', withdrawn: { reason: 'Fel version' } });
    expect((await nothingWritten(t, () => withdraw(t.tokens.initiator, doc.id, 'Igen'))).statusCode).toBe(409);
    expect(json<{ items: Doc[] }>(await list(t.tokens.initiator)).items.find((d) => d.id === doc.id)!.status).toBe('withdrawn');
    expect((await download(t.tokens.initiator, doc.id)).statusCode).toBe(200);
    expect((await history()).at(-1)).toMatchObject({ type: 'DOCUMENT_WITHDRAWN', label: 'Dokumentet utkast.pdf drogs tillbaka' });
    const count = t.services.db.$client.prepare('SELECT count(*) AS n FROM case_documents WHERE case_id = ?').get(caseId) as { n: number };
    expect(count.n).toBe(json<{ items: Doc[] }>(await list(t.tokens.initiator)).items.length);
  });

  it('If-Match, when sent, must be the case’s version: 412 when stale, and nothing is written', async () => {
    const version = json<{ version: number }>(await list(t.tokens.initiator)).version;
    const stale = await nothingWritten(t, () =>
      upload(t.tokens.initiator, [file(Buffer.from('%PDF-1.4 if-match\n'), 'x.pdf')], { headers: { 'if-match': `"${version - 1}"` } }),
    );
    expect(stale.statusCode).toBe(412);
    expect(everyFile(root).some((f) => f.endsWith(sha256(Buffer.from('%PDF-1.4 if-match\n'))))).toBe(false);
    const ok = await upload(t.tokens.initiator, [file(Buffer.from('%PDF-1.4 if-match\n'), 'x.pdf')], {
      headers: { 'if-match': `"${version}"` },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.headers.etag).toBe(`"${version + 1}"`);
  });
});

describe('the pages', () => {
  const browser = (token: 'initiator' | 'local-coordinator') => {
    const session = t.services.people.createSession(t.actors[token].id, 1);
    const cookies = { satsa_session: session.token };
    return {
      csrf: session.csrfToken,
      get: (url: string) => t.app.inject({ method: 'GET', url, cookies, headers: { accept: 'text/html' } }),
      upload: (parts: Part[]) => {
        const body = multipart(parts);
        return t.app.inject({
          method: 'POST',
          url: `/cases/${caseId}/documents`,
          cookies,
          headers: { ...body.headers, accept: 'text/html' },
          payload: body.payload,
        });
      },
      post: (url: string, fields: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url,
          cookies,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
          payload: new URLSearchParams(fields).toString(),
        }),
    };
  };

  it('the case page lists the documents and has the upload form; a form with its token adds one', async () => {
    const b = browser('initiator');
    const page = await b.get(`/cases/${caseId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h2 id="documents">Dokument</h2>');
    expect(page.body).toContain(`href="/api/cases/${caseId}/documents/`);
    expect(page.body).toContain('Protokoll &quot;slut&quot;; del 1/2 åäö.pdf');
    expect(page.body).toContain('enctype="multipart/form-data"');
    const res = await b.upload([
      { name: '_csrf', value: b.csrf },
      { name: 'description', value: 'Från sidan' },
      file(Buffer.from('%PDF-1.4 sidan\n'), 'från sidan.pdf'),
    ]);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/cases/${caseId}?done=document-added#documents`);
    const after = await b.get(`/cases/${caseId}?done=document-added`);
    expect(after.body).toContain('Dokumentet har lagts till i ärendet.');
    expect(after.body).toContain('från sidan.pdf');
  });

  it('the form offers to replace a current document the person may change; the earlier one stays, marked replaced', async () => {
    const b = browser('initiator');
    const older = json<Doc>(await upload(t.tokens.initiator, [file(Buffer.from('%PDF-1.4 budget 1\n'), 'sidans budget v1.pdf')]));
    const page = await b.get(`/cases/${caseId}`);
    expect(page.body).toContain('<label for="document-replaces">Ersätter dokumentet ett tidigare? (frivilligt)</label>');
    expect(page.body).toContain(`<option value="${older.id}">sidans budget v1.pdf</option>`);
    const res = await b.upload([
      { name: '_csrf', value: b.csrf },
      file(Buffer.from('%PDF-1.4 budget 2\n'), 'sidans budget v2.pdf'),
      { name: 'replaces', value: older.id },
    ]);
    expect(res.statusCode, res.body).toBe(303);
    const list = json<{ items: Doc[] }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/documents`, headers: auth(t.tokens.initiator) }),
    );
    const newer = list.items.find((d) => d.fileName === 'sidans budget v2.pdf')!;
    expect(list.items.find((d) => d.id === older.id)).toMatchObject({ status: 'replaced', replacedById: newer.id });
    // A replaced document is no longer offered.
    expect((await b.get(`/cases/${caseId}`)).body).not.toContain(`<option value="${older.id}">`);
  });

  it('a refused file shows the form again with an error summary linking to the file input; nothing is kept', async () => {
    const b = browser('initiator');
    const before = everyFile(root);
    const res = await nothingWritten(t, () =>
      b.upload([{ name: '_csrf', value: b.csrf }, { name: 'description', value: 'Kvar' }, file(ELF, 'program.pdf')]),
    );
    expect(res.statusCode).toBe(415);
    expect(res.body).toContain('class="alert error-summary"');
    expect(res.body).toContain('<a href="#document-file">Filen kan inte läggas till');
    expect(res.body).toContain('>Kvar</textarea>');
    expect(everyFile(root)).toEqual(before);
    // Without the form's token nothing is taken in at all.
    const forged = await nothingWritten(t, () => b.upload([{ name: '_csrf', value: 'fel' }, file(PDF, 'x.pdf')]));
    expect(forged.statusCode).toBe(403);
    const noToken = await nothingWritten(t, () => b.upload([file(PDF, 'x.pdf')]));
    expect(noToken.statusCode).toBe(403);
    expect(everyFile(root)).toEqual(before);
  });

  it('withdrawing asks why after a warning; without a reason it says so; then the document is marked withdrawn', async () => {
    const doc = json<Doc>(await upload(t.tokens.initiator, [file(Buffer.from('%PDF-1.4 sidan dras\n'), 'dras tillbaka.pdf')]));
    const url = `/cases/${caseId}/documents/${doc.id}/withdraw`;
    expect((await browser('local-coordinator').get(url)).statusCode).toBe(403);
    const b = browser('initiator');
    const page = await b.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Det går inte att ångra.');
    const empty = await b.post(url, { _csrf: b.csrf, reason: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('<a href="#withdraw-reason">Skriv varför dokumentet dras tillbaka.</a>');
    const done = await b.post(url, { _csrf: b.csrf, reason: 'Fel fil' });
    expect(done.statusCode).toBe(303);
    const after = await b.get(`/cases/${caseId}?done=document-withdrawn`);
    expect(after.body).toContain('Tillbakadraget');
    expect(after.body).toContain('Skäl: Fel fil');
    expect((await b.get(url)).statusCode).toBe(409);
  });
});
