import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { calendarInvitation, localDate, zonedTime } from '../../src/mail/calendar.js';

const base = {
  uid: 'forum-1@satsa.test',
  sequence: 3,
  stamp: new Date('2026-02-01T10:00:00Z'),
  date: '2026-03-10',
  summary: 'Dialogforum',
  location: 'Karlshamn',
  description: 'Om satsningen',
  organizer: { name: 'Uppdrag psykisk hälsa', email: 'uph@region.se' },
  attendee: { name: 'Anna "Annie" Andersson', email: 'anna@kommun.se' },
};

describe('iCalendar invitations', () => {
  it('escape text, fold long lines at 75 octets without splitting a character, and use CRLF only', () => {
    const ics = calendarInvitation({
      ...base,
      location: 'Rum 1; plan 2, Karlshamn\r\nIngång B\rbakom\u0007',
      description: 'Å'.repeat(200),
    });
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!);
    expect(event.location).toBe('Rum 1; plan 2, Karlshamn\nIngång B\nbakom');
    expect(event.description).toBe('Å'.repeat(200));
    expect(event.sequence).toBe(3);
    expect(ics).toContain('ATTENDEE;CN="Anna Annie Andersson";');
  });

  it('give a date without a time as an all-day event', () => {
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(calendarInvitation(base))).getFirstSubcomponent('vevent')!);
    expect(event.startDate.isDate).toBe(true);
    expect(event.startDate.toString()).toBe('2026-03-10');
    expect(event.endDate.toString()).toBe('2026-03-11');
  });

  it('turn Swedish wall-clock times into UTC on both sides of summer time', () => {
    expect(zonedTime('2026-03-28', '13:00').toISOString()).toBe('2026-03-28T12:00:00.000Z');
    expect(zonedTime('2026-03-30', '13:00').toISOString()).toBe('2026-03-30T11:00:00.000Z');
    expect(zonedTime('2026-10-25', '13:00').toISOString()).toBe('2026-10-25T12:00:00.000Z');
    expect(localDate('2026-01-15T23:30:00.000Z')).toBe('2026-01-16');
    expect(localDate('2026-07-15T21:59:00.000Z')).toBe('2026-07-15');
    expect(localDate('2026-07-15T22:00:00.000Z')).toBe('2026-07-16');
  });
});
