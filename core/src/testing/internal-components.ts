import type { ComponentKind } from '../api/component';
import type { PropertyFieldSchema, PropertySchema } from '../api/schema';
import { debianPackageFor } from '../registry/debian-packages';
import type { RegistryComponent } from '../registry/types';
import { CORE_VERSION } from '../version';
import { ENCODERS } from './source-parts';

/**
 * The test kit's own components: the sources that feed a component under test and the capture
 * that records what it feeds. They exist only in the in-memory registry of a test run, under a
 * package name no plugin can have, so they are never in a registry.json and never collide with a
 * plugin's types.
 */
export const TEST_KIT_PACKAGE = '@flowcast/core/testing';
export const CAPTURE_TYPE = 'capture';

const seconds: PropertyFieldSchema = { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 1, description: 'Stream time before end-of-stream' };

function internal(type: string, kind: ComponentKind, fields: Pick<RegistryComponent, 'eaters' | 'feeders'> & { elements: string[]; properties: PropertySchema['properties'] }): RegistryComponent {
  return {
    type,
    package: TEST_KIT_PACKAGE,
    version: CORE_VERSION,
    kind,
    description: `the test kit's ${type}`,
    eaters: fields.eaters,
    feeders: fields.feeders,
    properties: { type: 'object', properties: fields.properties },
    elements: fields.elements.map((element) => {
      const debian = debianPackageFor(element);
      return debian ? { element, debian } : { element };
    }),
    claims: [],
    exclusive: [],
    implementation: '(built into the test kit)',
    available: true,
  };
}

export function testKitComponents(): RegistryComponent[] {
  const encoded = (Object.keys(ENCODERS) as (keyof typeof ENCODERS)[]).map((codec) =>
    internal(`test-${codec}`, 'producer', {
      eaters: [],
      feeders: [{ name: 'default', produces: [`audio/x-${codec}`] }],
      elements: ['audiotestsrc', 'audioconvert', ENCODERS[codec]],
      properties: { seconds },
    }),
  );
  return [
    internal('test-audio', 'producer', {
      eaters: [],
      feeders: [{ name: 'default', produces: ['audio/x-raw'] }],
      elements: ['audiotestsrc'],
      properties: {
        samplerate: { type: 'integer', minimum: 8000, maximum: 192000, default: 44100, description: 'Samples per second' },
        channels: { type: 'integer', minimum: 1, maximum: 8, default: 2, description: 'Channels' },
        wave: { type: 'string', enum: ['sine', 'white-noise', 'silence'], default: 'sine', description: 'Waveform' },
        frequency: { type: 'number', minimum: 1, maximum: 20000, default: 440, description: 'Frequency of the sine' },
        seconds,
      },
    }),
    internal('test-video', 'producer', {
      eaters: [],
      feeders: [{ name: 'default', produces: ['video/x-raw'] }],
      elements: ['videotestsrc'],
      properties: {
        width: { type: 'integer', minimum: 16, maximum: 7680, default: 320, description: 'Width' },
        height: { type: 'integer', minimum: 16, maximum: 4320, default: 240, description: 'Height' },
        framerate: { type: 'integer', minimum: 1, maximum: 120, default: 25, description: 'Frames per second' },
        seconds,
      },
    }),
    ...encoded,
    internal(CAPTURE_TYPE, 'consumer', {
      eaters: [{ name: 'default', accepts: ['*'] }],
      feeders: [],
      elements: ['typefind', 'appsink'],
      properties: {},
    }),
  ];
}
