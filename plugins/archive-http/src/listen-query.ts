/** The most a listen-again request may ask for. */
const MAX_DURATION_S = 7 * 86_400;

/**
 * `start` is an ISO 8601 time with a zone (2026-12-01T10:00:00Z) or a negative number of seconds
 * before now (-600: ten minutes ago); `duration` a positive number of seconds, or absent (on into
 * the recording in progress).
 */
export function parseListenQuery(query: URLSearchParams, now: number): { start: number; end?: number } | { error: string } {
  const startText = query.get('start') ?? '';
  let start: number;
  if (/^-\d+(\.\d+)?$/.test(startText)) start = now + Number(startText) * 1000;
  else if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(startText) && !Number.isNaN(Date.parse(startText))) start = Date.parse(startText);
  else return { error: 'start must be an ISO 8601 time with its zone, such as 2026-12-01T10:00:00Z, or seconds before now, such as -600' };
  const durationText = query.get('duration');
  if (durationText === null) return { start };
  const duration = Number(durationText);
  if (!/^\d+(\.\d+)?$/.test(durationText) || duration <= 0 || duration > MAX_DURATION_S) return { error: `duration must be a number of seconds, more than 0 and at most ${MAX_DURATION_S}` };
  return { start, end: start + duration * 1000 };
}
