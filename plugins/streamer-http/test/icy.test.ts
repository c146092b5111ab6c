/**
 * ICY framing, byte by byte: blocks fall every `interval` bytes of a listener's stream however
 * the stream is cut into buffers, the title is sent once and then empty blocks until it changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { icyBlock, IcyFramer, IcyMetadata, icyResponseHead, wantsIcy } from '../src/icy';

/** Frame `stream` cut into `sizes` (repeated), and give back what the listener got. */
function framed(stream: Buffer, sizes: number[], interval: number, metadata: IcyMetadata, changeAt?: { byte: number; title: string }): Buffer {
  const framer = new IcyFramer(metadata, interval);
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    if (changeAt && at >= changeAt.byte) {
      metadata.set(changeAt.title);
      changeAt = undefined;
    }
    const piece = stream.subarray(at, at + sizes[i % sizes.length]!);
    framer.frame(piece, (b) => out.push(b));
    at += piece.length;
  }
  return Buffer.concat(out);
}

function unframe(body: Buffer, interval: number): { stream: Buffer; blocks: string[] } {
  const parts: Buffer[] = [];
  const blocks: string[] = [];
  let at = 0;
  while (at < body.length) {
    parts.push(body.subarray(at, at + interval));
    at += interval;
    if (at >= body.length) break;
    const length = body[at]! * 16;
    blocks.push(body.toString('utf8', at + 1, at + 1 + length).replace(/\0+$/, ''));
    at += 1 + length;
  }
  return { stream: Buffer.concat(parts), blocks };
}

test('blocks every interval bytes whatever the buffer sizes; the stream between them intact', () => {
  const stream = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) % 251));
  for (const sizes of [[1], [7, 300, 2], [999], [1000], [1001], [4096]]) {
    const metadata = new IcyMetadata();
    metadata.set('Artist - Song');
    const body = framed(stream, sizes, 1000, metadata);
    const { stream: back, blocks } = unframe(body, 1000);
    assert.ok(back.equals(stream), `sizes ${sizes.join(',')}: the stream comes back whole`);
    assert.equal(blocks.length, 10, `sizes ${sizes.join(',')}`);
    assert.deepEqual(blocks, ["StreamTitle='Artist - Song';", ...new Array<string>(9).fill('')]);
  }
});

test('a new title goes in the next block, once', () => {
  const metadata = new IcyMetadata();
  metadata.set('One');
  const body = framed(Buffer.alloc(5000), [333], 1000, metadata, { byte: 2500, title: 'Two' });
  assert.deepEqual(unframe(body, 1000).blocks, ["StreamTitle='One';", '', "StreamTitle='Two';", '', '']);
});

test('a block is its length in 16-byte units, padded with zeros; a long title is cut on a character boundary', () => {
  const exact = icyBlock('a'); // StreamTitle='a'; is 16 bytes
  assert.equal(exact[0], 1);
  assert.equal(exact.length, 17);
  const block = icyBlock('é'); // 17 bytes in UTF-8: two units
  assert.equal(block[0], 2);
  assert.equal(block.length, 33);
  assert.equal(block.toString('utf8', 1).replace(/\0+$/, ''), "StreamTitle='é';");
  const long = icyBlock('é'.repeat(5000));
  assert.equal(long.length, 1 + 255 * 16);
  const text = long.toString('utf8', 1).replace(/\0+$/, '');
  assert.ok(text.endsWith("é';") && !text.includes('\ufffd'), 'cut between characters, the quote and semicolon kept');
});

test('the head gets icy-metaint; only Icy-MetaData: 1 asks for it', () => {
  const head = icyResponseHead(Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n', 'latin1'), 16000);
  assert.equal(head.toString('latin1'), 'HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\nicy-metaint: 16000\r\n\r\n');
  assert.equal(wantsIcy({ 'icy-metadata': '1' }), true);
  assert.equal(wantsIcy({ 'icy-metadata': '0' }), false);
  assert.equal(wantsIcy({}), false);
});
