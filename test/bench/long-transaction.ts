/*
 * The long write the benchmark runs while it measures commands: an import of decided
 * initiatives from a spreadsheet, through the real API (all rows in one transaction).
 */

const HEADER = ['Rubrik', 'Beskrivning', 'Fokusområde', 'Beslutsdatum', 'Beslutande organ', 'Beslutsreferens', 'Beviljat belopp'];

/** Most rows an import takes (src/imports/table.ts: MAX_ROWS). */
export const IMPORT_MAX_ROWS = 5000;

/** A CSV file of `rows` decided initiatives, each its own (a title with `label` and its number). */
export function initiativesCsv(rows: number, label: string): string {
  const lines = [HEADER.join(';')];
  for (let i = 0; i < rows; i++) {
    lines.push(
      [
        `Importerad satsning ${label}-${i}`,
        'Samtalsstöd för elever i högstadiet, tillsammans med elevhälsan.',
        'barn-och-unga',
        '2025-03-15',
        'Regionstyrelsen',
        `RS 2025/${label}-${i} § 1`,
        '1000',
      ].join(';'),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export const importPath = (programmeId: string) => `/api/programmes/${programmeId}/imports/initiatives?dryRun=false`;
