import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileRefused, filePath, receiveFile, sweepIncoming, verifyFile } from '../../src/documents/files.js';

/*
 * The document files: taken by their content, written whole or not at all, one file per
 * content. Real files in a temporary folder.
 */

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-files-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function* chunksOf(...parts: (Buffer | Error)[]) {
  for (const part of parts) {
    if (part instanceof Error) throw part;
    yield part;
  }
}
const receive = (bytes: Buffer | (Buffer | Error)[], name = 'fil', maxBytes = 1_000_000, incomplete?: () => boolean) =>
  receiveFile(root, Array.isArray(bytes) ? chunksOf(...bytes) : chunksOf(bytes), { name, maxBytes, incomplete });
/** Every file under the root (the store's and any temporary one). */
const everyFile = (dir = root): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? everyFile(path.join(dir, e.name)) : [path.join(dir, e.name)]));

function png() {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type), data])) >>> 0);
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('a document file', () => {
  it('is taken by its content: PDF, an Office workbook, PNG, UTF-8 text and CSV', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Budget').addRow(['Post', 'Belopp']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    expect((await receive(PDF, 'protokoll.pdf')).mediaType).toBe('application/pdf');
    expect((await receive(xlsx, 'budget.xlsx')).mediaType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect((await receive(png(), 'bild.png')).mediaType).toBe('image/png');
    expect((await receive(Buffer.from('Åtgärd;Kostnad\nSamtal;1000\n'), 'rader.csv')).mediaType).toBe('text/csv');
    const text = await receive(Buffer.from('Minnesanteckningar från dialogforum – öppet möte'), 'anteckningar.txt');
    expect(text.mediaType).toBe('text/plain');
    expect(fs.readFileSync(filePath(root, text.sha256), 'utf8')).toBe('Minnesanteckningar från dialogforum – öppet möte');
    expect(await verifyFile(root, text.sha256)).toBe(true);
  });

  it('is one file however often the same content comes, named by its hash', async () => {
    const a = await receive(PDF, 'a.pdf');
    const b = await receive([PDF.subarray(0, 5), PDF.subarray(5)], 'b.pdf');
    expect(b).toEqual(a);
    expect(everyFile()).toEqual([filePath(root, a.sha256)]);
  });

  it('refuses what is too big, empty, of another type, a renamed program, text that is not UTF-8, and an upload cut off; and keeps nothing of it', async () => {
    const refused = async (p: Promise<unknown>) => {
      const error = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FileRefused);
      return error as FileRefused;
    };
    expect((await refused(receive(Buffer.alloc(2000, 0x41), 'stor.txt', 1000))).reason).toBe('too-large');
    expect((await refused(receive(Buffer.alloc(0), 'tom.pdf'))).reason).toBe('empty');
    const program = fs.readFileSync(process.execPath).subarray(0, 64 * 1024);
    expect(await refused(receive(program, 'protokoll.pdf'))).toMatchObject({ reason: 'type', detail: { detected: 'elf' } });
    const windows = Buffer.concat([
      Buffer.from('MZ'),
      Buffer.alloc(0x3a),
      Buffer.from([0x40, 0, 0, 0]),
      Buffer.from('PE\0\0'),
      Buffer.alloc(200),
    ]);
    expect((await refused(receive(windows, 'rapport.docx'))).reason).toBe('type');
    expect((await refused(receive(zlib.gzipSync(Buffer.from('x')), 'a.txt'))).reason).toBe('type');
    expect((await refused(receive(Buffer.from([0x41, 0xe5, 0x0a]), 'latin1.csv'))).reason).toBe('not-utf8');
    await expect(receive([PDF.subarray(0, 10), new Error('aborted')], 'halv.pdf')).rejects.toThrow('aborted');
    expect((await refused(receive(PDF, 'avklippt.pdf', 1_000_000, () => true))).reason).toBe('incomplete');
    expect(everyFile()).toEqual([]);
  });

  it('leaves at most a temporary file when the process dies mid-upload, which the next start removes', async () => {
    fs.mkdirSync(path.join(root, 'incoming'));
    fs.writeFileSync(path.join(root, 'incoming', 'x.part'), PDF.subarray(0, 10));
    expect(sweepIncoming(root)).toBe(1);
    expect(everyFile()).toEqual([]);
  });
});
