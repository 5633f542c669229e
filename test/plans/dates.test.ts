import { describe, expect, it } from 'vitest';
import { isDay, parseDatePhrase } from '../../src/plans/dates.js';

describe('date phrases of a plan', () => {
  it.each([
    ['våren 2023', '2023-01-01', '2023-06-30'],
    ['Våren  2023', '2023-01-01', '2023-06-30'],
    ['hösten 2024', '2024-07-01', '2024-12-31'],
    ['2027', '2027-01-01', '2027-12-31'],
    ['Q3 2025', '2025-07-01', '2025-09-30'],
    ['kvartal 3 2025', '2025-07-01', '2025-09-30'],
    ['1:a kvartalet 2024', '2024-01-01', '2024-03-31'],
    ['2025-Q1', '2025-01-01', '2025-03-31'],
    ['första halvåret 2025', '2025-01-01', '2025-06-30'],
    ['andra halvåret 2025', '2025-07-01', '2025-12-31'],
    ['slutet på 2022', '2022-10-01', '2022-12-31'],
    ['början av 2024', '2024-01-01', '2024-03-31'],
    ['september 2023', '2023-09-01', '2023-09-30'],
    ['februari 2024', '2024-02-01', '2024-02-29'],
    ['senast 2024-09-30', '2024-09-30', '2024-09-30'],
    ['2024-02-29', '2024-02-29', '2024-02-29'],
    ['autumn 2024', '2024-07-01', '2024-12-31'],
  ])('"%s" is %s to %s', (phrase, from, to) => {
    expect(parseDatePhrase(phrase)).toEqual({ from, to, label: phrase.trim().replace(/\s+/g, ' ') });
  });

  it.each(['någon gång 2023', 'våren', '2023-02-30', 'Q5 2025', 'kvartal 0 2025', '20270', '', 'hösten tjugotjugofyra'])(
    '"%s" is not understood',
    (phrase) => {
      expect(parseDatePhrase(phrase)).toBeUndefined();
    },
  );

  it('knows real days only', () => {
    expect(isDay('2023-02-28')).toBe(true);
    expect(isDay('2023-02-29')).toBe(false);
    expect(isDay('2023-13-01')).toBe(false);
    expect(isDay('23-01-01')).toBe(false);
  });
});
