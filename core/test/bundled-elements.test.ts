/**
 * Elements a plugin registers itself (`{ element, bundled: true }`): recorded as bundled, never
 * looked for with gst-inspect-1.0, while an undeclared-bundled element that does not exist still
 * makes its component unavailable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ElementProbe } from '../src/registry/availability';
import { checkDescriptor } from '../src/registry/descriptor-checks';
import { SchemaCompiler } from '../src/registry/schema-compiler';

function descriptor(elements: unknown[]): unknown {
  return {
    type: 'consumer-own-sink',
    kind: 'consumer',
    description: 'reads its stream from a sink it registers itself',
    eaters: [{ name: 'default', accepts: ['*'] }],
    feeders: [],
    elements,
    implementation: './consumer',
    properties: { type: 'object', properties: {} },
  };
}

const PKG = { name: 'flowcast-own-sink', version: '1.0.0', directory: '/tmp/own-sink' };

test('a bundled element is recorded as such, without a Debian package, and is not looked for', () => {
  const checked = checkDescriptor(descriptor([{ element: 'flowcastnosuchsink', bundled: true }, 'queue']), PKG, new SchemaCompiler(), (p) => p);
  assert.deepEqual(checked.problems, []);
  const [own, queue] = checked.entry?.elements ?? [];
  assert.deepEqual(own, { element: 'flowcastnosuchsink', bundled: true });
  assert.deepEqual(queue, { element: 'queue', debian: 'libgstreamer1.0-0' });
  assert.equal(new ElementProbe().unavailableReason(checked.entry!.elements), undefined, 'available: the plugin brings its element');
});

test('the same element, not declared bundled, makes the component unavailable', () => {
  const checked = checkDescriptor(descriptor(['flowcastnosuchsink']), PKG, new SchemaCompiler(), (p) => p);
  assert.deepEqual(checked.problems, []);
  assert.match(new ElementProbe().unavailableReason(checked.entry!.elements) ?? '', /flowcastnosuchsink missing/);
});
