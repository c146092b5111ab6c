/**
 * Bouncers in a real flow: a live stream behind an htpasswd file (bcrypt, Apache MD5 and {SHA}
 * users), another behind signed URLs, and the archive behind the htpasswd bouncer. Each with
 * valid, wrong or tampered, expired and missing credentials; a signed URL that expires while the
 * listener is connected ends the connection; the access log names the user.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import md5 from 'apache-md5';
import bcrypt from 'bcryptjs';
import { createHash } from 'node:crypto';
import { freePort, runCli, startFlow, writeFlow, type RunningFlow } from '@flowcast/core/testing';
import { signUrl } from '../src/signature';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SECRET = 'a-secret-of-thirty-two-characters';
const JWT_SECRET = 'another-key-for-json-web-tokens-only';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncers-'));
process.once('exit', () => fs.rmSync(work, { recursive: true, force: true }));
let port = 0;
let flow: RunningFlow;
/** The authentication service bouncer-http asks: what it was sent, and a server that never answers. */
const hookRequests: Record<string, unknown>[] = [];
let hook: http.Server;
let silent: http.Server;

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The server closed the connection (not the client after `forMs`). */
  endedByServer: boolean;
  ms: number;
}

function get(rawPath: string, headers: Record<string, string> = {}, forMs = 1500): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let responded: ((endedByServer: boolean) => void) | undefined;
    const req = http.get({ host: '127.0.0.1', port, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let done = false;
      const finish = (endedByServer: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), endedByServer, ms: Date.now() - started });
      };
      const timer = setTimeout(() => finish(false), forMs);
      responded = finish;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(true));
      res.on('close', () => finish(true));
      res.on('error', () => finish(true));
    });
    // A reset after the answer began is the server ending the stream (a listener is dropped with a reset).
    req.on('error', (error) => (responded ? responded(true) : reject(error)));
  });
}

const basic = (user: string, password: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const unixNow = (): number => Math.floor(Date.now() / 1000);

before(async () => {
  port = await freePort();
  hook = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      hookRequests.push(body);
      const status = body.user === 'anna' && body.password === 'right' ? 204 : body.user === undefined ? 401 : 403;
      res.writeHead(status).end();
    });
  });
  silent = http.createServer(() => undefined);
  const hookPort = await listen(hook);
  const silentPort = await listen(silent);
  const htpasswd = path.join(work, 'listeners.htpasswd');
  fs.writeFileSync(
    htpasswd,
    [
      `bea:${bcrypt.hashSync('bee-pass', 5).replace(/^\$2b\$/, '$2y$')}`, // as `htpasswd -B` writes it
      `april:${md5('april-pass')}`, // `htpasswd -m`
      `sha:{SHA}${createHash('sha1').update('sha-pass').digest('base64')}`, // `htpasswd -s`
      'old:abJnggxhB/yWI', // crypt(): refused, with a warning
      '',
    ].join('\n'),
  );
  flow = await startFlow(
    writeFlow(`name: protected
components:
  tone: { type: producer-test }
  enc: { type: encoder-vorbis, eats: tone }
  mux: { type: muxer-ogg, eats: enc }
  users:
    type: bouncer-htpasswd
    properties: { file: ${JSON.stringify(htpasswd)}, realm: Members }
  signed:
    type: bouncer-signed-url
    properties: { secret: ${SECRET} }
  local-only:
    type: bouncer-ip
    properties: { allow: ["127.0.0.1/32", "::1"] }
  no-local:
    type: bouncer-ip
    properties: { deny: ["127.0.0.0/8"] }
  service:
    type: bouncer-http
    properties: { url: "http://127.0.0.1:${hookPort}/auth", realm: Service }
  slow-service:
    type: bouncer-http
    properties: { url: "http://127.0.0.1:${silentPort}/auth", timeout: 0.5 }
  tokens:
    type: bouncer-jwt
    properties: { secret: ${JWT_SECRET}, issuer: radio.example, audience: listeners }
  jwt:
    type: streamer-http
    eats: mux
    properties: { mount: /jwt.ogg, port: ${port}, bind-address: 127.0.0.1, bouncer: tokens, access-log: jwt-access.log }
  local:
    type: streamer-http
    eats: mux
    properties: { mount: /local.ogg, port: ${port}, bind-address: 127.0.0.1, bouncer: local-only }
  blocked:
    type: streamer-http
    eats: mux
    properties: { mount: /blocked.ogg, port: ${port}, bind-address: 127.0.0.1, bouncer: no-local }
  hooked:
    type: streamer-http
    eats: mux
    properties: { mount: /hooked.ogg, port: ${port}, bind-address: 127.0.0.1, bouncer: service }
  stalled:
    type: streamer-http
    eats: mux
    properties: { mount: /stalled.ogg, port: ${port}, bind-address: 127.0.0.1, bouncer: slow-service }
  members:
    type: streamer-http
    eats: mux
    properties: { mount: /members.ogg, port: ${port}, bind-address: 127.0.0.1, bouncer: users, access-log: access.log }
  public:
    type: streamer-http
    eats: mux
    properties: { mount: /signed.ogg, port: ${port}, bind-address: 127.0.0.1, bouncer: signed }
  rec:
    type: recorder-disk
    eats: mux
    properties: { directory: ${JSON.stringify(path.join(work, 'recordings'))} }
  archive:
    type: archive-http
    properties: { directory: ${JSON.stringify(path.join(work, 'recordings'))}, port: ${port}, bind-address: 127.0.0.1, bouncer: users }
`),
    { cwd: ROOT, env: { FLOWCAST_LOG_DIR: path.join(work, 'logs') } },
  );
});

after(async () => {
  assert.equal(await flow.stop(), 0, flow.stderr());
  hook.close();
  silent.closeAllConnections();
  silent.close();
});

test('htpasswd: missing, unknown, wrong and crypt() credentials get 401 with a Basic challenge; bcrypt, Apache MD5 and {SHA} users listen; the access log names them', async () => {
  for (const headers of [{}, basic('nobody', 'x'), basic('bea', 'wrong'), basic('old', 'old-pass'), { Authorization: 'Basic !!!' }, { Authorization: 'Bearer abc' }]) {
    const answer = await get('/members.ogg', headers, 1000);
    assert.equal(answer.status, 401, JSON.stringify(headers));
    assert.equal(answer.headers['www-authenticate'], 'Basic realm="Members", charset="UTF-8"');
    assert.ok(!answer.body.includes('OggS'), 'no stream');
  }
  for (const [user, password] of [
    ['bea', 'bee-pass'],
    ['april', 'april-pass'],
    ['sha', 'sha-pass'],
  ] as const) {
    const answer = await get('/members.ogg', basic(user, password), 1500);
    assert.equal(answer.status, 200, user);
    assert.equal(answer.body.toString('latin1', 0, 4), 'OggS', `${user} gets the stream`);
  }
  assert.match(flow.stderr(), /listeners\.htpasswd:4: the hash of \\"old\\" is neither bcrypt/);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const log = fs.readFileSync(path.join(work, 'logs', 'access.log'), 'utf8');
  for (const user of ['bea', 'april', 'sha']) assert.match(log, new RegExp(`^127\\.0\\.0\\.1 - ${user} \\[[^\\]]+\\] "GET /members.ogg HTTP/1.1" 200 `, 'm'));
  const head = await get('/members.ogg', {}, 1000);
  assert.equal(head.status, 401);
});

test('signed URLs: missing, tampered, signed for another path, malformed and expired are refused (403); a valid one plays', async () => {
  const expires = unixNow() + 60;
  const valid = signUrl(SECRET, '/signed.ogg', expires);
  const refused = [
    '/signed.ogg',
    `/signed.ogg?expires=${expires}`,
    valid.replace(/token=(.)/, (_, c: string) => `token=${c === 'A' ? 'B' : 'A'}`),
    valid.replace(`expires=${expires}`, `expires=${expires + 3600}`),
    signUrl(SECRET, '/members.ogg', expires).replace('/members.ogg', '/signed.ogg'),
    signUrl('another-secret-of-enough-length', '/signed.ogg', expires),
    signUrl(SECRET, '/signed.ogg', unixNow() - 5),
    `/signed.ogg?expires=soon&token=x`,
  ];
  for (const url of refused) {
    const answer = await get(url, {}, 1000);
    assert.equal(answer.status, 403, url);
    assert.equal(answer.headers['www-authenticate'], undefined);
    assert.ok(!answer.body.includes('OggS'), url);
  }
  const ok = await get(valid, {}, 1500);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.toString('latin1', 0, 4), 'OggS');
});

test('a signed URL that expires while the listener is connected ends the connection at expiry', { timeout: 20_000 }, async () => {
  const expires = unixNow() + 3;
  const answer = await get(signUrl(SECRET, '/signed.ogg', expires), {}, 10_000);
  assert.equal(answer.status, 200);
  assert.ok(answer.endedByServer, 'the server ended it');
  const endedAt = Date.now();
  // Checked at the streamer's once-a-second sweep.
  assert.ok(endedAt >= expires * 1000 && endedAt <= expires * 1000 + 2500, `ended ${endedAt - expires * 1000} ms after expiry`);
  assert.ok(answer.body.length > 4000, `${answer.body.length} bytes before expiry`);
});

test('the archive behind the htpasswd bouncer: 401 without credentials, the listing with them', async () => {
  const refused = await get('/archive/index.json', {}, 1000);
  assert.equal(refused.status, 401);
  assert.match(String(refused.headers['www-authenticate']), /^Basic realm="Members"/);
  const allowed = await get('/archive/index.json', basic('april', 'april-pass'), 2000);
  assert.equal(allowed.status, 200);
  assert.ok(Array.isArray((JSON.parse(allowed.body.toString()) as { recordings: unknown[] }).recordings));
});

test('a mount naming a bouncer the flow does not have fails preflight; nothing starts', async () => {
  const other = await freePort();
  const result = await runCli(
    [
      'run',
      writeFlow(`name: no-bouncer
components:
  tone: { type: producer-test }
  enc: { type: encoder-vorbis, eats: tone }
  mux: { type: muxer-ogg, eats: enc }
  web:
    type: streamer-http
    eats: mux
    properties: { port: ${other}, bind-address: 127.0.0.1, bouncer: missing }
`),
    ],
    { cwd: ROOT },
  );
  assert.notEqual(result.code, 0, result.stderr);
  assert.match(result.stderr, /FC_PREFLIGHT: no bouncer "missing" in this flow/);
});

test('IP lists: an allowed network listens; a denied one gets 403', async () => {
  const allowed = await get('/local.ogg', {}, 1000);
  assert.equal(allowed.status, 200);
  assert.equal(allowed.body.toString('latin1', 0, 4), 'OggS');
  const denied = await get('/blocked.ogg', {}, 1000);
  assert.equal(denied.status, 403);
  assert.ok(!denied.body.includes('OggS'));
});

test('an HTTP hook: 2xx lets in, 401 asks for credentials, 403 refuses, silence past the timeout refuses; it is sent the details as JSON', async () => {
  const ok = await get('/hooked.ogg?session=42', { ...basic('anna', 'right'), 'User-Agent': 'test-player/1.0' }, 1000);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.toString('latin1', 0, 4), 'OggS');
  assert.deepEqual(hookRequests.at(-1), { action: 'listener_add', method: 'GET', path: '/hooked.ogg', query: { session: '42' }, ip: '127.0.0.1', user: 'anna', password: 'right', userAgent: 'test-player/1.0' });
  const ask = await get('/hooked.ogg', {}, 1000);
  assert.equal(ask.status, 401);
  assert.equal(ask.headers['www-authenticate'], 'Basic realm="Service", charset="UTF-8"');
  const wrong = await get('/hooked.ogg', basic('anna', 'wrong'), 1000);
  assert.equal(wrong.status, 403);
  const started = Date.now();
  const stalled = await get('/stalled.ogg', {}, 3000);
  assert.equal(stalled.status, 403);
  assert.ok(Date.now() - started < 2500, 'refused at the timeout');
});

/** A token made with jose, as an identity provider would. */
async function jwt(claims: { sub?: string; iss?: string; aud?: string; exp?: number }, key = JWT_SECRET): Promise<string> {
  const { SignJWT } = await import('jose');
  let token = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (claims.sub) token = token.setSubject(claims.sub);
  if (claims.iss) token = token.setIssuer(claims.iss);
  if (claims.aud) token = token.setAudience(claims.aud);
  if (claims.exp) token = token.setExpirationTime(claims.exp);
  return token.sign(new TextEncoder().encode(key));
}

test('JWT: a valid token (Bearer or ?token=) listens and is logged by its subject; missing, expired, tampered, foreign-key, wrong-issuer and wrong-audience tokens get 401 with a Bearer challenge', { timeout: 20_000 }, async () => {
  const good = { sub: 'carol', iss: 'radio.example', aud: 'listeners', exp: unixNow() + 600 };
  const valid = await jwt(good);
  const bearer = await get('/jwt.ogg', { Authorization: `Bearer ${valid}` }, 1000);
  assert.equal(bearer.status, 200);
  assert.equal(bearer.body.toString('latin1', 0, 4), 'OggS');
  const query = await get(`/jwt.ogg?token=${valid}`, {}, 1000);
  assert.equal(query.status, 200);
  const missing = await get('/jwt.ogg', {}, 1000);
  assert.equal(missing.status, 401);
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="Flowcast"');
  const [head, payload, signature] = valid.split('.') as [string, string, string];
  const tampered = `${head}.${Buffer.from(JSON.stringify({ ...good, sub: 'mallory' })).toString('base64url')}.${signature}`;
  const refused = [
    await jwt({ ...good, exp: unixNow() - 10 }),
    tampered,
    `${head}.${payload}.${signature.slice(0, -2)}xx`,
    await jwt(good, 'a-key-that-the-station-never-gave-out'),
    await jwt({ ...good, iss: 'elsewhere.example' }),
    await jwt({ ...good, aud: 'admins' }),
  ];
  for (const token of refused) {
    const answer = await get('/jwt.ogg', { Authorization: `Bearer ${token}` }, 1000);
    assert.equal(answer.status, 401, token);
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="Flowcast", error="invalid_token"');
    assert.ok(!answer.body.includes('OggS'));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.match(fs.readFileSync(path.join(work, 'logs', 'jwt-access.log'), 'utf8'), /^127\.0\.0\.1 - carol \[/m);
});
