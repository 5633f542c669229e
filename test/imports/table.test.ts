import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { formatOf, readTables, tableTemplate, UnreadableTable } from '../../src/imports/table.js';

describe('a table from a spreadsheet', () => {
  it('reads CSV as Excel saves it in Sweden: a BOM, semicolons, quotes, empty rows skipped, row numbers as shown', async () => {
    const csv = '\uFEFFDiarienummer;Rubrik;Belopp\r\nUPH-2021-0001;"Stöd; i skolan";250 000\r\n;;\r\nUPH-2021-0002;Samtal;10\r\n';
    const [t] = await readTables(Buffer.from(csv, 'utf8'));
    expect(t!.columns).toEqual(['Diarienummer', 'Rubrik', 'Belopp']);
    expect(t!.rows).toEqual([
      { row: 2, cells: { Diarienummer: 'UPH-2021-0001', Rubrik: 'Stöd; i skolan', Belopp: '250 000' } },
      { row: 4, cells: { Diarienummer: 'UPH-2021-0002', Rubrik: 'Samtal', Belopp: '10' } },
    ]);
  });

  it('reads comma-separated CSV and a short row as empty cells', async () => {
    const [t] = await readTables(Buffer.from('a,b,c\n1,2\n', 'utf8'));
    expect(t!.rows).toEqual([{ row: 2, cells: { a: '1', b: '2', c: '' } }]);
  });

  it('reads each sheet of a workbook, dates as days and numbers as text', async () => {
    const wb = new ExcelJS.Workbook();
    const s = wb.addWorksheet('Mål');
    s.addRow(['Titel', 'Datum', 'Antal']);
    s.addRow(['Färre självmord', new Date(Date.UTC(2022, 5, 21)), 20]);
    s.addRow([]);
    s.addRow([{ richText: [{ text: 'Rik ' }, { text: 'text' }] }, '', { formula: '1+1', result: 2 }]);
    wb.addWorksheet('Tom');
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    expect(formatOf(bytes)).toBe('xlsx');
    const tables = await readTables(bytes);
    expect(tables.map((t) => t.sheet)).toEqual(['Mål']);
    expect(tables[0]!.rows).toEqual([
      { row: 2, cells: { Titel: 'Färre självmord', Datum: '2022-06-21', Antal: '20' } },
      { row: 4, cells: { Titel: 'Rik text', Datum: '', Antal: '2' } },
    ]);
  });

  it('gives back its own templates', async () => {
    const spec = [{ sheet: 'Rader', columns: ['Aktivitet', 'Kostnad'], examples: [['Utbildning; steg 1', '0,5 tjänst']] }];
    for (const format of ['csv', 'xlsx'] as const) {
      const [t] = await readTables(await tableTemplate(format, spec));
      expect(t!.columns).toEqual(['Aktivitet', 'Kostnad']);
      expect(t!.rows).toEqual([{ row: 2, cells: { Aktivitet: 'Utbildning; steg 1', Kostnad: '0,5 tjänst' } }]);
    }
  });

  it('refuses what is no table: not UTF-8, a broken workbook, nothing at all', async () => {
    await expect(readTables(Buffer.from([0x41, 0x3b, 0xe5, 0x0a]))).rejects.toEqual(new UnreadableTable('not-utf8'));
    await expect(readTables(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).rejects.toEqual(new UnreadableTable('not-xlsx'));
    await expect(readTables(Buffer.from('\n\n'))).rejects.toEqual(new UnreadableTable('empty'));
    await expect(readTables(Buffer.from('a;b\n"open;2\n'))).rejects.toEqual(new UnreadableTable('not-csv'));
  });
});
