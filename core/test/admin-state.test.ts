/**
 * The admin API's stored state: tokens (only scrypt hashes, 0600, verified, revoked at once),
 * flow file edits that keep the operator's text, atomic writes that keep the previous version,
 * and the check that a path stays inside the flows directory.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { TokenStore } from '../src/admin/tokens';
import { isInside, setComponentProperties, writeFileAtomically } from '../src/manager/flow-edit';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-admin-state-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('tokens: shown once, stored as scrypt hashes (0600), checked, a changed secret refused, revoked at once', async () => {
  const file = path.join(scratch, 'state', 'tokens.json');
  const store = new TokenStore(file);
  const { token, identity } = await store.create('ops', 'admin');
  assert.equal(identity.role, 'admin');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.ok(!fs.readFileSync(file, 'utf8').includes(token.slice(18)));
  assert.deepEqual(await store.verify(token), identity);
  assert.deepEqual(await new TokenStore(file).verify(token), identity, 'another process (the server) reads it');
  const last = token.at(-1) === 'A' ? 'B' : 'A';
  assert.equal(await store.verify(token.slice(0, -1) + last), undefined);
  assert.equal(await store.verify('Bearer nonsense'), undefined);
  await assert.rejects(store.create('ops', 'read'), /FC_TOKEN: there is a token named "ops"/);
  await assert.rejects(store.create('x', 'root' as never), /role "root" does not exist/);
  await assert.rejects(store.create('../x', 'read'), /not allowed/);
  const server = new TokenStore(file);
  assert.ok(await server.verify(token));
  await new Promise((r) => setTimeout(r, 20)); // a new modification time
  assert.ok(store.revoke('ops'));
  assert.equal(await server.verify(token), undefined, 'revoked while the server runs');
});

test('flow edits keep comments and layout; atomic writes keep the previous version; paths stay inside', () => {
  const text = '# my station\nname: radio\ncomponents:\n  tone:\n    type: producer-test\n    properties: { wave: sine, frequency: 440 } # the tone\n';
  const changed = setComponentProperties(text, 'tone', { frequency: 880, volume: 0.5 });
  assert.match(changed, /^# my station/);
  assert.match(changed, /frequency: 880/);
  assert.match(changed, /volume: 0.5/);
  assert.match(changed, /# the tone/);
  const dir = path.join(scratch, 'flows');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'radio.yaml');
  fs.writeFileSync(file, text);
  writeFileAtomically(file, changed);
  assert.equal(fs.readFileSync(file, 'utf8'), changed);
  assert.equal(fs.readFileSync(`${file}.previous`, 'utf8'), text);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['radio.yaml', 'radio.yaml.previous']);
  assert.ok(isInside(dir, file));
  assert.ok(!isInside(dir, path.join(dir, '..', 'radio.yaml')));
  assert.ok(!isInside(dir, dir));
  assert.ok(!isInside(dir, '/etc/passwd'));
});
