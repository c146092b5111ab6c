/** One Ogg page's header fields (RFC 3533). */
export interface OggPage {
  readonly serial: number;
  readonly sequence: number;
  readonly granule: bigint;
  /** Beginning of a logical stream. */
  readonly bos: boolean;
  readonly eos: boolean;
  readonly offset: number;
  readonly length: number;
}

/**
 * The Ogg pages in `data`, in order; stops at the first byte that is not a page (a truncated
 * last page is left out). For tests that check a stream's continuity: page sequence numbers of
 * one logical stream increase by one, and a new chained stream begins with BOS pages.
 */
export function oggPages(data: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  let offset = 0;
  while (offset + 27 <= data.length && data.toString('latin1', offset, offset + 4) === 'OggS') {
    const segments = data[offset + 26]!;
    if (offset + 27 + segments > data.length) break;
    let body = 0;
    for (let i = 0; i < segments; i++) body += data[offset + 27 + i]!;
    const length = 27 + segments + body;
    if (offset + length > data.length) break;
    const flags = data[offset + 5]!;
    pages.push({
      serial: data.readUInt32LE(offset + 14),
      sequence: data.readUInt32LE(offset + 18),
      granule: data.readBigInt64LE(offset + 6),
      bos: (flags & 2) !== 0,
      eos: (flags & 4) !== 0,
      offset,
      length,
    });
    offset += length;
  }
  return pages;
}

/** Places where a logical stream's page sequence skips (a lost page), as "serial: a → b". */
export function oggSequenceGaps(pages: readonly OggPage[]): string[] {
  const last = new Map<number, number>();
  const gaps: string[] = [];
  for (const page of pages) {
    const before = last.get(page.serial);
    if (before !== undefined && page.sequence !== before + 1) gaps.push(`${page.serial}: ${before} → ${page.sequence}`);
    last.set(page.serial, page.sequence);
  }
  return gaps;
}
