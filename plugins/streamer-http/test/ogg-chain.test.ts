/**
 * The Ogg chain's pieces: header pages rebuilt for packets of any size (a setup header longer than
 * one page), comments with TITLE and ARTIST replaced and the others kept, and a title change that
 * waits for a page starting a packet. The whole path, with real players, is test/now-playing.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageCrc } from '@flowcast/core';
import { headerPages, OggChain, packetsOf, rebuildComments } from '../src/ogg-chain';

function vorbisComments(vendor: string, comments: string[]): Buffer {
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const parts = [Buffer.from('\x03vorbis', 'latin1'), u32(vendor.length), Buffer.from(vendor), u32(comments.length)];
  for (const c of comments) parts.push(u32(Buffer.byteLength(c)), Buffer.from(c));
  parts.push(Buffer.from([1]));
  return Buffer.concat(parts);
}

const ID = Buffer.concat([Buffer.from('\x01vorbis', 'latin1'), Buffer.alloc(23, 1)]);

test('header pages: packets come back whole, the last ends its page, checksums right', () => {
  const setup = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256)); // more than 255 segments
  const comments = vorbisComments('v', ['A=b']);
  const pages = headerPages([ID, comments, setup], 0x1234);
  assert.ok(pages.length >= 3);
  assert.equal(pages[0]![5], 0x02, 'the first page begins the stream');
  for (const [i, page] of pages.entries()) {
    assert.equal(page.readUInt32LE(18), i, 'sequence numbers from 0');
    assert.equal(pageCrc(page), page.readUInt32LE(22));
  }
  const back = packetsOf(pages);
  assert.equal(back.length, 3);
  assert.ok(back[0]!.equals(ID) && back[1]!.equals(comments) && back[2]!.equals(setup));
  assert.ok(pages[1]![5]! === 0 && pages[2]![5]! === 1, 'a page that goes on with a packet is flagged continued');
});

test('comments: TITLE and ARTIST replaced (any case), vendor and others kept', () => {
  const rebuilt = rebuildComments('vorbis', vorbisComments('Xiph vendor', ['title=Old', 'ENCODER=x', 'Artist=Old']), { title: 'Néw', artist: 'Me' });
  assert.ok(rebuilt.equals(vorbisComments('Xiph vendor', ['ENCODER=x', 'TITLE=Néw', 'ARTIST=Me'])));
  const cleared = rebuildComments('vorbis', vorbisComments('v', ['TITLE=Old']), {});
  assert.ok(cleared.equals(vorbisComments('v', [])));
});

test('a change waits for a page that starts a packet, ends the old stream, and re-stamps what follows', () => {
  const setup = Buffer.alloc(100, 5);
  const headers = headerPages([ID, vorbisComments('v', []), setup], 7);
  const chain = new OggChain();
  assert.deepEqual(chain.setHeaders(headers), { headers });
  const dataPage = (seq: number, continued: boolean): Buffer => {
    const page = Buffer.from(headers[1]!);
    page.writeUInt32LE(seq, 18);
    page[5] = continued ? 1 : 0;
    page.writeBigInt64LE(BigInt(seq * 1000), 6);
    return page;
  };
  const published: Buffer[] = [];
  const chained: Buffer[][] = [];
  const out = { publish: (b: Buffer) => published.push(b), chain: (h: Buffer[]) => chained.push(h) };
  chain.process(dataPage(2, false), 0, out);
  chain.setTags({ title: 'T' });
  chain.process(dataPage(3, true), 0, out);
  assert.equal(chained.length, 0, 'not in the middle of a packet');
  chain.process(dataPage(4, false), 0, out);
  assert.equal(chained.length, 1);
  const end = published[2]!;
  assert.equal(end[5], 0x04, 'the old stream ends');
  assert.equal(end.readUInt32LE(14), 7);
  assert.equal(end.readBigInt64LE(6), 3000n, 'at the granule position it reached');
  const serial = chained[0]![0]!.readUInt32LE(14);
  assert.notEqual(serial, 7);
  const restamped = published[3]!;
  assert.equal(restamped.readUInt32LE(14), serial);
  assert.equal(restamped.readUInt32LE(18), chained[0]!.length, 'numbered on from the new headers');
  assert.match(packetsOf(chained[0]!)[1]!.toString('utf8'), /TITLE=T/);
});
