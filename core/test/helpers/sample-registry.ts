import { Registry } from '../../src/registry/registry';
import type { RegistryComponent } from '../../src/registry/types';

function component(type: string, fields: Partial<RegistryComponent>): RegistryComponent {
  return {
    type,
    package: `@flowcast/${type}`,
    version: '0.1.0',
    kind: 'producer',
    description: type,
    eaters: [],
    feeders: [],
    properties: { type: 'object', properties: {} },
    elements: [],
    claims: [],
    exclusive: [],
    implementation: 'dist/src/impl.js',
    available: true,
    ...fields,
  };
}

/** A registry shaped like the bundled plugins, without scanning anything. */
export function sampleRegistry(): Registry {
  const components = [
    component('producer-test', {
      feeders: [
        { name: 'audio', produces: ['audio/x-raw'] },
        { name: 'video', produces: ['video/x-raw'] },
      ],
      properties: {
        type: 'object',
        properties: {
          wave: { type: 'string', enum: ['sine', 'square'], default: 'sine' },
          frequency: { type: 'number', minimum: 1, maximum: 20000, default: 440 },
        },
      },
    }),
    component('encoder-vorbis', {
      kind: 'encoder',
      eaters: [{ name: 'default', accepts: ['audio/x-raw'] }],
      feeders: [{ name: 'default', produces: ['audio/x-vorbis'] }],
      exclusive: [['quality', 'bitrate']],
      properties: {
        type: 'object',
        properties: { quality: { type: 'number', minimum: -0.1, maximum: 1, default: 0.3 }, bitrate: { type: 'integer', minimum: 8000 } },
      },
    }),
    component('muxer-ogg', {
      kind: 'muxer',
      eaters: [{ name: 'default', accepts: ['audio/x-vorbis', 'video/x-theora'], multiple: true }],
      feeders: [{ name: 'default', produces: ['application/ogg'] }],
    }),
    component('streamer-http', {
      kind: 'consumer',
      eaters: [{ name: 'default', accepts: ['application/ogg'] }],
      claims: [{ resource: 'HTTP mount', properties: ['port', 'mount'] }],
      properties: {
        type: 'object',
        properties: {
          mount: { type: 'string', pattern: '^/', default: '/' },
          port: { type: 'integer', minimum: 1, maximum: 65535, default: 8800 },
          peers: { type: 'array', items: { type: 'string', pattern: '^[0-9.]+$', 'x-pattern-description': 'an IPv4 address such as "192.0.2.1"' } },
        },
      },
    }),
    component('producer-v4l', { available: false, reason: 'GStreamer element v4l2src missing: apt-get install gstreamer1.0-plugins-good', feeders: [{ name: 'default', produces: ['video/x-raw'] }] }),
  ];
  return new Registry('/nonexistent', {
    format: 1,
    packages: components.map((c) => ({ name: c.package, version: '0.1.0', path: `plugins/${c.type}` })),
    components,
  });
}
