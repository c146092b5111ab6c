import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic } from '../src/flow/reporter';
import { validateFlowText } from '../src/flow/validate';
import { sampleRegistry } from './helpers/sample-registry';

const registry = sampleRegistry();
const check = (yaml: string) => validateFlowText(yaml, 'flows/test.yaml', registry);
const errors = (yaml: string) => check(yaml).diagnostics.filter((d) => d.severity === 'error');

const RADIO = `name: radio
components:
  mic: { type: producer-test, properties: { wave: sine, frequency: 440 } }
  enc: { type: encoder-vorbis, eats: mic, properties: { quality: 0.4 } }
  mux: { type: muxer-ogg, eats: enc }
  web: { type: streamer-http, eats: mux, properties: { mount: /live.ogg, port: 8800 } }
`;

test('a good flow resolves upstream first, with defaults and feeder names filled in', () => {
  const result = check(RADIO);
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(result.flow?.components.map((c) => c.name), ['mic', 'enc', 'mux', 'web']);
  const enc = result.flow?.components.find((c) => c.name === 'enc');
  assert.deepEqual(enc?.eats, [{ eater: 'default', feeds: [{ component: 'mic', feeder: 'audio' }] }]);
  assert.equal(result.flow?.components.find((c) => c.name === 'mic')?.properties.frequency, 440);
  assert.deepEqual(result.flow?.components.find((c) => c.name === 'mux')?.properties, {});
});

test('YAML syntax errors give the line and column', () => {
  const [error] = errors('name: radio\ncomponents:\n  mic: { type: producer-test\n');
  assert.equal(error?.code, 'FC_YAML_SYNTAX');
  assert.equal(error?.line, 4);
});

test('an unknown type names the package that provides it when known', () => {
  const [error] = errors(RADIO.replace('type: encoder-vorbis', 'type: encoder-opus'));
  assert.equal(error?.code, 'FC_UNKNOWN_TYPE');
  assert.equal(error?.component, 'enc');
  assert.deepEqual([error?.line, error?.col], [4, 16]);
  assert.match(error?.message ?? '', /provided by the package @flowcast\/encoder-opus, which is not installed/);
  assert.match(formatDiagnostic(error!), /^flows\/test\.yaml:4:16: error FC_UNKNOWN_TYPE component "enc": /);
});

test('an unavailable type says why', () => {
  const [error] = errors('name: cam\ncomponents:\n  cam: { type: producer-v4l }\n');
  assert.equal(error?.code, 'FC_UNAVAILABLE_TYPE');
  assert.match(error?.message ?? '', /apt-get install gstreamer1.0-plugins-good/);
});

test('property errors name the component, the property, the expectation and the position', () => {
  const list = errors(`name: radio
components:
  mic: { type: producer-test, properties: { wave: sinus, frequency: loud, colour: red } }
`);
  const byProperty = Object.fromEntries(list.map((e) => [e.property, e]));
  assert.match(byProperty.wave?.message ?? '', /must be one of "sine", "square" \(got "sinus"\)/);
  assert.match(byProperty.frequency?.message ?? '', /must be of type number \(got "loud"\)/);
  assert.match(byProperty.colour?.message ?? '', /unknown property "colour" \(this component takes: wave, frequency\)/);
  assert.deepEqual([byProperty.wave?.line, byProperty.wave?.col], [3, 51]);
  assert.deepEqual([byProperty.colour?.line, byProperty.colour?.col], [3, 75]);
  assert.ok(list.every((e) => e.component === 'mic'));
});

test('a pattern is given in words where the schema has x-pattern-description, and as the expression otherwise', () => {
  const [inWords] = errors(RADIO.replace('port: 8800', 'port: 8800, peers: ["192.0.2.1", "localhost"]'));
  assert.equal(inWords?.property, 'peers');
  assert.equal(inWords?.component, 'web');
  assert.match(inWords?.message ?? '', /must be an IPv4 address such as "192.0.2.1" \(got "localhost"\)/);
  assert.equal(inWords?.line, 6);
  const [expression] = errors(RADIO.replace('mount: /live.ogg', 'mount: live.ogg'));
  assert.match(expression?.message ?? '', /must match the pattern \^\/ \(got "live.ogg"\)/);
});

test('range errors and mutually exclusive properties', () => {
  const range = errors(RADIO.replace('quality: 0.4', 'quality: 3'));
  assert.match(range[0]?.message ?? '', /must be <= 1 \(got 3\)/);
  const both = errors(RADIO.replace('quality: 0.4', 'quality: 0.4, bitrate: 64000'));
  assert.equal(both[0]?.property, 'bitrate');
  assert.match(both[0]?.message ?? '', /set only one of "quality" or "bitrate"/);
});

test('unknown feeds, unknown feeders and unknown eaters', () => {
  const feed = errors(RADIO.replace('eats: mic,', 'eats: microphone,'));
  assert.equal(feed[0]?.code, 'FC_UNKNOWN_FEED');
  assert.match(feed[0]?.message ?? '', /no component of that name \(it has mic, enc, mux, web\)/);
  const feeder = errors(RADIO.replace('eats: mic,', 'eats: "mic:speech",'));
  assert.match(feeder[0]?.message ?? '', /"mic" \(producer-test\) has no feeder "speech" \(it has audio, video\)/);
  const eater = errors(RADIO.replace('eats: enc }', 'eats: { extra: enc } }'));
  assert.equal(eater[0]?.code, 'FC_UNKNOWN_EATER');
});

test('a required eater left unfed, and eating from a component with no eaters', () => {
  const unfed = errors(RADIO.replace('eats: mux, ', ''));
  assert.equal(unfed[0]?.code, 'FC_EATER_UNFED');
  assert.equal(unfed[0]?.component, 'web');
  const nothing = errors(RADIO.replace('{ type: producer-test,', '{ type: producer-test, eats: web,'));
  assert.equal(nothing[0]?.code, 'FC_NOTHING_TO_EAT');
});

test('a single eater given two feeds', () => {
  const list = errors(RADIO.replace('eats: mux,', 'eats: [mux, mux],'));
  assert.equal(list[0]?.code, 'FC_EATER_SINGLE');
});

test('cycles are reported with the path round', () => {
  const list = errors(`name: loop
components:
  a: { type: encoder-vorbis, eats: b }
  b: { type: encoder-vorbis, eats: a }
`);
  const cycle = list.find((e) => e.code === 'FC_FEED_CYCLE');
  assert.match(cycle?.message ?? '', /a → b → a|b → a → b/);
});

test('raw audio into muxer-ogg is a media type mismatch that suggests the encoder', () => {
  const list = errors(RADIO.replace('mux: { type: muxer-ogg, eats: enc }', 'mux: { type: muxer-ogg, eats: mic }'));
  const mismatch = list.find((e) => e.code === 'FC_MEDIA_MISMATCH');
  assert.match(mismatch?.message ?? '', /feed "mic:audio" produces audio\/x-raw, but eater "default" of muxer-ogg accepts audio\/x-vorbis, video\/x-theora/);
  assert.match(mismatch?.fix ?? '', /encoder-vorbis/);
});

test('two streamers on one port and mount conflict; different mounts on one port do not', () => {
  const base = `name: two
components:
  mic: { type: producer-test }
  enc: { type: encoder-vorbis, eats: mic }
  mux: { type: muxer-ogg, eats: enc }
  a: { type: streamer-http, eats: mux, properties: { mount: /live.ogg, port: 8000 } }
  b: { type: streamer-http, eats: mux, properties: { mount: /live.ogg, port: 8000 } }
`;
  const conflict = errors(base);
  assert.equal(conflict[0]?.code, 'FC_CLAIM_CONFLICT');
  assert.equal(conflict[0]?.component, 'b');
  assert.equal(conflict[0]?.property, 'mount');
  assert.match(conflict[0]?.message ?? '', /already taken by component "a"/);
  assert.deepEqual(errors(base.replace('mount: /live.ogg, port: 8000 } }\n  b', 'mount: /other.ogg, port: 8000 } }\n  b')), []);
});

test('every error of a file is reported at once', () => {
  const list = errors(`name: Bad Name
components:
  mic: { type: producer-test, properties: { frequency: -5 } }
  enc: { type: encoder-nope, eats: mic }
  mux: { type: muxer-ogg, eats: ghost }
`);
  assert.deepEqual(list.map((e) => e.code).sort(), ['FC_FLOW_SHAPE', 'FC_PROPERTY_INVALID', 'FC_UNKNOWN_FEED', 'FC_UNKNOWN_TYPE']);
});

test('a feed nobody eats is a warning, not an error', () => {
  const result = check('name: lonely\ncomponents:\n  mic: { type: producer-test }\n');
  assert.equal(result.diagnostics[0]?.severity, 'warning');
  assert.equal(result.diagnostics[0]?.code, 'FC_FEED_UNUSED');
  assert.ok(result.flow);
});
