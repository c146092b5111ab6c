import { CronExpressionParser } from 'cron-parser';
import type { NameZone } from './strftime';

/**
 * When a cron expression (`0 * * * *`: every hour; `0 6,18 * * *`: at 6:00 and 18:00) next falls
 * after a time, in the zone file names use. Parsed by cron-parser; throws its message when the
 * expression is not valid.
 */
export function cronSchedule(expression: string, zone: NameZone): (after: number) => number {
  const options = zone === 'utc' ? { tz: 'UTC' } : {};
  CronExpressionParser.parse(expression, options); // refuse a bad expression now, not at the first rotation
  return (after) => CronExpressionParser.parse(expression, { ...options, currentDate: new Date(after) }).next().getTime();
}
