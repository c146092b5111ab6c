/** A byte range, both ends included (as in Content-Range). */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeRequest = { kind: 'whole' } | { kind: 'ranges'; ranges: ByteRange[] } | { kind: 'unsatisfiable' };

/** More ranges than this in one request are ignored (the whole file is sent), as RFC 9110 allows. */
const MAX_RANGES = 32;

/**
 * The Range header as RFC 9110 §14 reads it, against a representation of `size` bytes. A header
 * in another unit, or one that does not parse, is ignored (the whole file); one whose ranges all
 * start past the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return { kind: 'whole' };
  const match = /^bytes=(.*)$/i.exec(header.trim());
  if (!match) return { kind: 'whole' };
  const specs = match[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0 || specs.length > MAX_RANGES) return { kind: 'whole' };
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const m = /^(\d*)-(\d*)$/.exec(spec);
    if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
    if (m[1] === '') {
      const suffix = Number(m[2]);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(m[1]);
    const last = m[2] === '' ? undefined : Number(m[2]);
    if (!Number.isSafeInteger(start) || (last !== undefined && (!Number.isSafeInteger(last) || last < start))) return { kind: 'whole' };
    if (start < size) ranges.push({ start, end: Math.min(last ?? size - 1, size - 1) });
  }
  return ranges.length === 0 ? { kind: 'unsatisfiable' } : { kind: 'ranges', ranges };
}
