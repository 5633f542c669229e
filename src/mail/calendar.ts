/*
 * iCalendar (RFC 5545) invitations, small enough to write here: escaped text, lines folded
 * at 75 octets, CRLF endings. Times given in Swedish local time are sent in UTC so no
 * VTIMEZONE block is needed; a date without a time is an all-day event.
 */

import { memoise } from '../memo.js';

export const PROGRAMME_TIME_ZONE = 'Europe/Stockholm';

export interface CalendarEvent {
  uid: string;
  /** Raised each time the same event is sent again with changes. */
  sequence: number;
  stamp: Date;
  date: string;
  startTime?: string;
  endTime?: string;
  summary: string;
  location: string;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
}

const escapeText = (value: string) =>
  value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    // Other control characters are not allowed in a TEXT value.
    .replace(/\p{Cc}/gu, (c) => (c === '\t' ? c : ''));

/** Parameter values (CN=…) are quoted and may not contain quotes or control characters. */
const quoteParam = (value: string) => `"${value.replace(/["\p{Cc}]/gu, '')}"`;

function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (bytes + size > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

const utc = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** One formatter per time zone and kind: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();
export function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/** Offset of `zone` from UTC at the given instant, in milliseconds. */
function zoneOffset(instant: number, zone: string): number {
  const wallClock = formatter(
    `wall ${zone}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  );
  const parts = Object.fromEntries(wallClock.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return asUtc - instant;
}

/** The instant at which the wall clock in `zone` shows `date` `time`. */
export function zonedTime(date: string, time: string, zone = PROGRAMME_TIME_ZONE): Date {
  return new Date(zonedInstant(`${date} ${time} ${zone}`));
}

/** zonedTime's answers by "date time zone": deadlines ask for the same few dates again and again. */
const zonedInstant = memoise(10_000, (key) => {
  const [date, time, zone] = key.split(' ') as [string, string, string];
  return resolveZonedTime(date, time, zone);
});

function resolveZonedTime(date: string, time: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let instant = wall - zoneOffset(wall, zone);
  instant = wall - zoneOffset(instant, zone);
  return instant;
}

const compactDate = (date: string) => date.replace(/-/g, '');

/** `date` (YYYY-MM-DD) moved by whole days. */
export function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The calendar date (YYYY-MM-DD) of an instant in Swedish time. */
export const localDate = (iso: string, zone = PROGRAMME_TIME_ZONE) =>
  formatter(
    `date ${zone}`,
    () => new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).format(new Date(iso));

export function calendarInvitation(event: CalendarEvent): string {
  const timing: string[] = [];
  if (event.startTime) {
    const start = zonedTime(event.date, event.startTime);
    const end = event.endTime ? zonedTime(event.date, event.endTime) : new Date(start.getTime() + 2 * 3_600_000);
    timing.push(`DTSTART:${utc(start)}`, `DTEND:${utc(end)}`);
  } else {
    timing.push(`DTSTART;VALUE=DATE:${compactDate(event.date)}`, `DTEND;VALUE=DATE:${compactDate(shiftDate(event.date, 1))}`);
  }
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Satsa//Satsa//SV',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTAMP:${utc(event.stamp)}`,
    ...timing,
    `SUMMARY:${escapeText(event.summary)}`,
    `LOCATION:${escapeText(event.location)}`,
    `DESCRIPTION:${escapeText(event.description)}`,
    `ORGANIZER;CN=${quoteParam(event.organizer.name)}:mailto:${event.organizer.email}`,
    `ATTENDEE;CN=${quoteParam(event.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:${event.attendee.email}`,
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}
