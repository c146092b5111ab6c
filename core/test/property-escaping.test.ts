import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caps, gstEnum } from '../src/api/part';
import { applyProperties } from '../src/pipeline/apply';
import { assemblePlan } from '../src/pipeline/assemble';
import { loadGstBinding } from '../src/pipeline/gst';
import { ComponentPart } from '../src/pipeline/part-builder';
import { capsToString, enumLiteral } from '../src/pipeline/values';
import type { ResolvedFlow } from '../src/flow/types';

const HOSTILE = [
  'x ! fakesink name=evil',
  'a" ! fakesink name=evil "b',
  "a' name=evil",
  'name=evil',
  'x. ! evil.',
];

/** Build a one-component pipeline whose filesrc gets `location`, with real GStreamer. */
function buildWithLocation(location: string) {
  const part = new ComponentPart('src', new Set(), new Map());
  const file = part.element('filesrc', 'file', { location });
  const sink = part.element('fakesink', 'sink');
  part.link(file, sink);
  const flow: ResolvedFlow = { file: 'f.yaml', name: 'f', components: [] };
  const plan = assemblePlan(flow, new Map([['src', part]]));
  const pipeline = new (loadGstBinding().Pipeline)(plan.description);
  applyProperties(pipeline, plan.elements);
  return { plan, pipeline };
}

for (const value of HOSTILE) {
  test(`a property value holding pipeline syntax does not change the graph: ${JSON.stringify(value)}`, () => {
    const { plan, pipeline } = buildWithLocation(value);
    assert.ok(!plan.description.includes(value), 'the value is not in the description');
    assert.equal(plan.description, 'filesrc name=src--file  fakesink name=src--sink  src--file. ! src--sink.');
    assert.equal(pipeline.findChild('evil'), undefined, 'no element was created from the value');
    assert.equal(pipeline.findChild('src--file')?.location, value, 'the element received the value whole');
  });
}

test('enum values reach the description only as plain words', () => {
  assert.equal(enumLiteral('wave', 'white-noise', 'e'), 'wave=white-noise');
  for (const nick of ['sine ! fakesink', 'sine name=evil', '"sine"', 'sine\n']) {
    assert.throws(() => enumLiteral('wave', nick, 'tone--src'), /FC_UNSAFE_LITERAL: element "tone--src": enum value .* is not a plain word/);
  }
  const part = new ComponentPart('tone', new Set(), new Map());
  part.element('audiotestsrc', 'src', { wave: gstEnum('sine ! fakesink name=evil') });
  assert.throws(() => assemblePlan({ file: 'f', name: 'f', components: [] }, new Map([['tone', part]])), /FC_UNSAFE_LITERAL/);
});

test('caps are serialised from typed fields only', () => {
  assert.equal(capsToString(caps('audio/x-raw', { rate: 44100, channels: 2, format: 'S16LE' }), 'e'), 'audio/x-raw, rate=(int)44100, channels=(int)2, format=(string)S16LE');
  assert.throws(() => capsToString(caps('audio/x-raw', { format: 'S16LE, rate=(int)1' }), 'e'), /FC_UNSAFE_LITERAL/);
  assert.throws(() => capsToString(caps('audio/x-raw ! fakesink', {}), 'e'), /FC_UNSAFE_LITERAL/);
});

test('element and factory names are checked when a part is built', () => {
  const part = new ComponentPart('c', new Set(), new Map());
  assert.throws(() => part.element('fakesink name=evil', 'x'), /FC_PIPELINE_BUILD: component "c": "fakesink name=evil" is not a GStreamer element factory name/);
  assert.throws(() => part.element('fakesink', 'x y'), /must be kebab-case/);
});
