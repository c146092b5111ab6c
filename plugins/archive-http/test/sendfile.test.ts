/**
 * Recordings go out with sendfile(2): a client that reads slowly (so the socket's buffer fills and
 * the server waits) and one that asks for a range of a large file both get exactly the file's bytes.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { oneRecording, request, serveArchive } from './support';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Read a URL, pausing 100 ms after every MiB: the server meets a full socket again and again. */
function slowRead(port: number, rawPath: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: rawPath, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let sinceBreak = 0;
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          sinceBreak += chunk.length;
          if (sinceBreak >= 1 << 20) {
            sinceBreak = 0;
            res.pause();
            setTimeout(() => res.resume(), 100);
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

test('sendfile: a slow reader and a range of a 24 MiB recording get the bytes exactly', { timeout: 60_000 }, async () => {
  const bytes = randomBytes(24 << 20);
  const directory = oneRecording('big.ogg', bytes);
  const { flow, port } = await serveArchive(directory, 'big');
  try {
    const slow = await slowRead(port, '/archive/big.ogg');
    assert.equal(slow.status, 200);
    assert.equal(slow.body.length, bytes.length);
    assert.equal(sha(slow.body), sha(bytes));
    const start = 5_000_001;
    const end = 17_000_000;
    const range = await request(port, '/archive/big.ogg', { headers: { Range: `bytes=${start}-${end}` } });
    assert.equal(range.status, 206);
    assert.equal(sha(range.body), sha(bytes.subarray(start, end + 1)));
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

/** Read a URL whole, pausing now and then; or leave after `leaveAfter` bytes. */
function readWhole(port: number, rawPath: string, leaveAfter = Infinity): Promise<{ status: number; body: Buffer; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: rawPath, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= leaveAfter) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        } else if (Math.random() < 0.05) {
          res.pause();
          setTimeout(() => res.resume(), 20);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ...(res.headers.connection ? { connection: res.headers.connection } : {}) }));
    });
    req.on('error', (error) => (received(error) ? undefined : reject(error)));
    const received = (error: Error): boolean => leaveAfter !== Infinity && /socket hang up|aborted/.test(error.message);
  });
}

const openDescriptors = (pid: number): number => fs.readdirSync(`/proc/${pid}/fd`).length;

test('sendfile: 40 listeners at once get the bytes, one that leaves midway frees its connection, a small range', { timeout: 60_000 }, async () => {
  const bytes = randomBytes(6 << 20);
  const directory = oneRecording('big.ogg', bytes);
  const { flow, port } = await serveArchive(directory, 'many');
  try {
    const pid = flow.process.pid!;
    const before = openDescriptors(pid);
    const answers = await Promise.all([...Array(40).keys()].map((i) => readWhole(port, '/archive/big.ogg', i === 0 ? 1 << 20 : Infinity)));
    const whole = sha(bytes);
    for (const answer of answers.slice(1)) {
      assert.equal(answer.status, 200);
      assert.equal(answer.body.length, bytes.length);
      assert.equal(sha(answer.body), whole);
      // A large body goes on a connection the sender adopts: it closes once the file is sent.
      assert.equal(answer.connection, 'close');
    }
    // Every transfer's descriptors are closed, the one the listener left too.
    for (let i = 0; i < 50 && openDescriptors(pid) > before; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(openDescriptors(pid), before);

    // A small range goes the same way.
    const small = await request(port, '/archive/big.ogg', { headers: { Range: 'bytes=3000000-3000099' } });
    assert.equal(small.status, 206);
    assert.equal(sha(small.body), sha(bytes.subarray(3_000_000, 3_000_100)));
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('sendfile: a recording cut short on disk while it is sent ends its transfer, and the connection and its descriptors are freed', { timeout: 60_000 }, async () => {
  const bytes = randomBytes(24 << 20);
  const directory = oneRecording('big.ogg', bytes);
  const file = path.join(directory, 'big.ogg');
  const { flow, port } = await serveArchive(directory, 'cut');
  try {
    const pid = flow.process.pid!;
    const before = openDescriptors(pid);
    const outcome = await new Promise<{ received: number; complete: boolean }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/archive/big.ogg', agent: false }, (res) => {
          let received = 0;
          let cut = false;
          res.on('data', (chunk: Buffer) => {
            received += chunk.length;
            // After the first MiB: stop reading (the server's socket fills), cut the file to 16 MiB
            // (past what the sockets hold, so the sender meets the new end in a short send), read on.
            if (!cut && received >= 1 << 20) {
              cut = true;
              res.pause();
              setTimeout(() => {
                fs.truncateSync(file, 16 << 20);
                res.resume();
              }, 300);
            }
          });
          // A transfer that waited for room that never comes would keep the connection open.
          const stuck = setTimeout(() => resolve({ received, complete: true }), 15_000);
          res.on('close', () => {
            clearTimeout(stuck);
            resolve({ received, complete: res.complete });
          });
          res.on('error', () => {});
        })
        .on('error', reject);
    });
    assert.equal(outcome.complete, false, `the server closed the connection before the promised length (${outcome.received} bytes received)`);
    assert.equal(outcome.received, 16 << 20, 'every byte the file still had');
    for (let i = 0; i < 50 && openDescriptors(pid) > before; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(openDescriptors(pid), before, 'the transfer\'s descriptors are closed');
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
