/**
 * File names from a strftime-style template: %Y year, %m month, %d day, %H hour, %M minute,
 * %S second, %y two-digit year, %j day of the year, %s seconds since the epoch, %F = %Y-%m-%d,
 * %% a percent sign. Only these: the schema refuses others, so a name can never hold a path.
 */
export const TEMPLATE_PATTERN = '^([A-Za-z0-9._+-]|%[YmdHMSyjsF%])+$';
export const TEMPLATE_IN_WORDS = 'letters, digits, . _ + - and the codes %Y %m %d %H %M %S %y %j %s %F %%, such as "%Y-%m-%d_%H-%M-%S"';

export type NameZone = 'utc' | 'local';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function strftime(template: string, time: number, zone: NameZone): string {
  const d = new Date(time);
  const utc = zone === 'utc';
  const year = utc ? d.getUTCFullYear() : d.getFullYear();
  const month = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const day = utc ? d.getUTCDate() : d.getDate();
  const startOfYear = utc ? Date.UTC(year, 0, 1) : new Date(year, 0, 1).getTime();
  const startOfDay = utc ? Date.UTC(year, month - 1, day) : new Date(year, month - 1, day).getTime();
  const fields: Record<string, string> = {
    Y: String(year),
    m: pad(month),
    d: pad(day),
    H: pad(utc ? d.getUTCHours() : d.getHours()),
    M: pad(utc ? d.getUTCMinutes() : d.getMinutes()),
    S: pad(utc ? d.getUTCSeconds() : d.getSeconds()),
    y: pad(year % 100),
    j: pad(Math.round((startOfDay - startOfYear) / 86_400_000) + 1, 3),
    s: String(Math.floor(time / 1000)),
    F: `${year}-${pad(month)}-${pad(day)}`,
    '%': '%',
  };
  return template.replace(/%(.)/g, (whole, code: string) => fields[code] ?? whole);
}
