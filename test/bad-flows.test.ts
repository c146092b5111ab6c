import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '@flowcast/core/testing';

/** Every fixture's streamer would use this port. */
const FIXTURE_PORT = 18931;
const fixture = (name: string): string => path.join(__dirname, '..', 'fixtures', 'bad-flows', name);

/** One file per kind of error, and the line `flowcast run` must print for it. */
const CASES: [file: string, expected: RegExp][] = [
  ['yaml-syntax.yaml', /yaml-syntax\.yaml:\d+:\d+: error FC_YAML_SYNTAX: /],
  ['unknown-type.yaml', /unknown-type\.yaml:4:20: error FC_UNKNOWN_TYPE component "encoder": unknown component type "encoder-wma" \(known types: archive-http, bouncer-htpasswd, bouncer-http, bouncer-ip, bouncer-jwt, bouncer-signed-url, converter-overlay,/],
  ['bad-property.yaml', /bad-property\.yaml:8:16: error FC_PROPERTY_INVALID component "encoder" property "quality": must be <= 1 \(got 3\)/],
  ['unknown-property.yaml', /unknown-property\.yaml:3:62: error FC_PROPERTY_INVALID component "tone" property "colour": unknown property "colour"/],
  ['unknown-feed.yaml', /unknown-feed\.yaml:4:42: error FC_UNKNOWN_FEED component "encoder": eats "microphone", but this flow has no component of that name/],
  ['cycle.yaml', /cycle\.yaml:\d+:\d+: error FC_FEED_CYCLE component "(muxer|remux)": feeds go round in a cycle: /],
  ['unfed-eater.yaml', /unfed-eater\.yaml:6:3: error FC_EATER_UNFED component "web": eater "default" of streamer-http is required but nothing feeds it/],
  ['media-mismatch.yaml', /media-mismatch\.yaml:4:35: error FC_MEDIA_MISMATCH component "muxer": feed "tone:audio" produces audio\/x-raw, but eater "default" of muxer-ogg accepts audio\/x-vorbis.*Fix: put a component between them that converts the media, such as encoder-opus or encoder-vorbis/],
  ['port-mount-conflict.yaml', /port-mount-conflict\.yaml:7:\d+: error FC_CLAIM_CONFLICT component "web-copy" property "mount": HTTP mount with port 18931 and mount "\/live\.ogg" is already taken by component "web"/],
];

// The fixtures' port is held by the test: a flow that tried to listen on it would fail with
// FC_PORT_IN_USE instead of the validation error, so "nothing was started" is observable.
const guard = net.createServer();
before(() => new Promise<void>((resolve) => guard.listen(FIXTURE_PORT, '0.0.0.0', () => resolve())));
after(() => new Promise<void>((resolve) => guard.close(() => resolve())));

for (const [file, expected] of CASES) {
  test(`flowcast run ${file}: a clear error, exit 2, nothing started`, async () => {
    const result = await runCli(['run', fixture(file)], { cwd: path.join(__dirname, '..', '..') });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, expected);
    assert.match(result.stderr, /not started, the flow has errors/);
    assert.doesNotMatch(result.stderr, /FC_PORT_IN_USE|"level":"info"/);
    assert.equal(result.stdout, '');
  });
}

test('flowcast validate reports the errors of several files at once and exits 2', async () => {
  const good = path.join(__dirname, '..', '..', 'flows', 'default.yaml');
  const result = await runCli(['validate', good, fixture('bad-property.yaml'), fixture('unknown-feed.yaml')], { cwd: path.join(__dirname, '..', '..') });
  assert.equal(result.code, 2);
  assert.match(result.stdout, /flows\/default\.yaml: valid/);
  assert.match(result.stdout, /bad-property\.yaml: 1 error/);
  assert.match(result.stdout, /unknown-feed\.yaml: 1 error/);
  assert.equal(result.stderr.trim().split('\n').length, 2);
});

test('flowcast validate exits 0 on a valid flow', async () => {
  const result = await runCli(['validate', 'flows/default.yaml'], { cwd: path.join(__dirname, '..', '..') });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'flows/default.yaml: valid');
});
