/**
 * The archive's access log: a line for every request, with the user a bouncer let in, the status
 * and the bytes that went on the connection (a recording sent by the file sender: once it is done).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CATALOG_FILE, jsonLine } from '@flowcast/core';
import { freePort, startFlow, writeFlow } from '@flowcast/core/testing';
import { request, ROOT, sleep, tempDir } from './support';

test('access log: each archive request is a line, with the user the bouncer admitted, its status and the bytes sent', { timeout: 60_000 }, async () => {
  const directory = tempDir();
  const work = tempDir('archive-log-');
  const bytes = randomBytes(3 << 20);
  fs.writeFileSync(path.join(directory, 'rec.ogg'), bytes);
  fs.writeFileSync(path.join(directory, CATALOG_FILE), jsonLine({ open: 'rec.ogg', type: 'application/ogg', start: 0 }) + jsonLine({ close: 'rec.ogg', end: 1, size: bytes.length, reason: 'stop' }));
  const htpasswd = path.join(work, 'users');
  fs.writeFileSync(htpasswd, `ann:{SHA}${createHash('sha1').update('ann-pass').digest('base64')}\n`);
  const port = await freePort();
  const flow = await startFlow(
    writeFlow(`name: logged
components:
  users:
    type: bouncer-htpasswd
    properties: { file: ${JSON.stringify(htpasswd)}, realm: Archive }
  archive:
    type: archive-http
    properties: { directory: ${JSON.stringify(directory)}, port: ${port}, bind-address: 127.0.0.1, bouncer: users, access-log: archive-access.log }
  open:
    type: archive-http
    properties: { directory: ${JSON.stringify(directory)}, mount: /open, port: ${port}, bind-address: 127.0.0.1, access-log: open-access.log }
`),
    { cwd: ROOT, env: { FLOWCAST_LOG_DIR: path.join(work, 'logs') } },
  );
  try {
    const basic = `Basic ${Buffer.from('ann:ann-pass').toString('base64')}`;
    const whole = await request(port, '/archive/rec.ogg', { headers: { Authorization: basic, 'User-Agent': 'log-test/1' } });
    assert.equal(whole.status, 200);
    assert.equal(whole.body.length, bytes.length);
    const range = await request(port, '/archive/rec.ogg', { headers: { Authorization: basic, Range: 'bytes=100-199' } });
    assert.equal(range.status, 206);
    assert.equal((await request(port, '/archive/rec.ogg')).status, 401);
    assert.equal((await request(port, '/archive/index.json', { headers: { Authorization: basic } })).status, 200);
    const file = path.join(work, 'logs', 'archive-access.log');
    let lines: string[] = [];
    for (let i = 0; i < 50 && lines.length < 4; i++) {
      await sleep(100);
      lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    }
    assert.equal(lines.length, 4, lines.join('\n'));
    const wholeLine = lines.find((l) => l.includes('"GET /archive/rec.ogg HTTP/1.1" 200'));
    assert.ok(wholeLine, lines.join('\n'));
    assert.match(wholeLine, /^127\.0\.0\.1 - ann \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/archive\/rec\.ogg HTTP\/1\.1" 200 (\d+) "-" "log-test\/1" \d+$/);
    const sent = Number(/" 200 (\d+) /.exec(wholeLine)![1]);
    // Head and body: the whole file and a head of a few hundred bytes.
    assert.ok(sent > bytes.length && sent < bytes.length + 1000, `${sent} bytes logged for a ${bytes.length}-byte file`);
    const rangeLine = lines.find((l) => l.includes('" 206 '));
    assert.ok(rangeLine?.startsWith('127.0.0.1 - ann ['), lines.join('\n'));
    const rangeSent = Number(/" 206 (\d+) /.exec(rangeLine!)![1]);
    assert.ok(rangeSent > 100 && rangeSent < 1100, `${rangeSent} bytes logged for a 100-byte range`);
    assert.ok(lines.some((l) => /^127\.0\.0\.1 - - \[.*" 401 \d+ /.test(l)), 'the refusal is logged, with no user');
    assert.ok(lines.some((l) => /^127\.0\.0\.1 - ann \[.*"GET \/archive\/index\.json HTTP\/1\.1" 200 \d+ /.test(l)), 'the listing is logged');

    // An unprotected mount answers a recording straight off the connection: logged the same way.
    const open = await request(port, '/open/rec.ogg', { headers: { 'User-Agent': 'log-test/2' } });
    assert.equal(open.status, 200);
    assert.ok(open.body.equals(bytes));
    const openRange = await request(port, '/open/rec.ogg', { headers: { Range: 'bytes=10-19' } });
    assert.equal(openRange.status, 206);
    assert.ok(openRange.body.equals(bytes.subarray(10, 20)));
    const openFile = path.join(work, 'logs', 'open-access.log');
    let openLines: string[] = [];
    for (let i = 0; i < 50 && openLines.length < 2; i++) {
      await sleep(100);
      openLines = fs.existsSync(openFile) ? fs.readFileSync(openFile, 'utf8').split('\n').filter(Boolean) : [];
    }
    const openWhole = openLines.find((l) => l.includes('" 200 '));
    assert.match(openWhole ?? '', /^127\.0\.0\.1 - - \[.*\] "GET \/open\/rec\.ogg HTTP\/1\.1" 200 \d+ "-" "log-test\/2" \d+$/, openLines.join('\n'));
    const openSent = Number(/" 200 (\d+) /.exec(openWhole!)![1]);
    assert.ok(openSent > bytes.length && openSent < bytes.length + 1000, `${openSent} bytes logged`);
    assert.ok(openLines.some((l) => /" 206 \d+ /.test(l)), openLines.join('\n'));
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
