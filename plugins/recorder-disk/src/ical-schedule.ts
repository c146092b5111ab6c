import fs from 'node:fs';
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };

// ical.js is an ES module with a CommonJS build, which `require` finds through its package exports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof ICALModule;

/** Occurrences of one recurring event looked through at most, per question (a daily event: 270 years). */
const MAX_OCCURRENCES = 100_000;

/**
 * The times an iCalendar file's events start and end (recurring ones included, with the time
 * zones the file defines), as a rotation schedule: each event gets a file of its own, from its
 * start to its end, as Flumotion's disker did with iCal. Parsed by ical.js; throws a message
 * naming what is wrong when the file cannot be read or holds no event.
 */
export function icalSchedule(file: string): (after: number) => number {
  const text = fs.readFileSync(file, 'utf8');
  let calendar: InstanceType<typeof ICAL.Component>;
  try {
    calendar = new ICAL.Component(ICAL.parse(text));
  } catch (error) {
    throw new Error(`not an iCalendar file: ${(error as Error).message}`);
  }
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  if (events.length === 0) throw new Error('it holds no event (VEVENT)');
  return (after) => {
    let next = Infinity;
    for (const event of events) {
      const length = event.endDate ? event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime() : 0;
      const consider = (start: number): boolean => {
        if (start > after) next = Math.min(next, start);
        if (length > 0 && start + length > after) next = Math.min(next, start + length);
        return start > after; // later occurrences only come later
      };
      if (!event.isRecurring()) {
        consider(event.startDate.toJSDate().getTime());
        continue;
      }
      const occurrences = event.iterator();
      for (let i = 0, time = occurrences.next(); time && i < MAX_OCCURRENCES; i++, time = occurrences.next()) {
        if (consider(time.toJSDate().getTime())) break;
      }
    }
    return next;
  };
}
