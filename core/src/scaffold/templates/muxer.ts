import { testPreamble, type KindTemplate } from './template';

/** Encoded audio feeds into one Matroska stream (matroskamux), which streamer-http serves. */
export const muxerTemplate: KindTemplate = {
  summary: 'A Matroska muxer for encoded audio.',

  descriptor: (n) => `import { defineComponent } from '@flowcast/core';

/** What the registry knows of ${n.type} without loading its code. */
export const ${n.descriptorName} = defineComponent({
  type: '${n.type}',
  kind: 'muxer',
  description: 'Multiplexes one or more encoded audio feeds into one Matroska stream.',
  eaters: [
    {
      name: 'default',
      accepts: ['audio/x-vorbis', 'audio/x-opus', 'audio/x-flac'],
      multiple: true,
      description: 'the encoded streams, one Matroska track each',
    },
  ],
  // matroskamux calls Matroska with audio tracks only audio/x-matroska.
  feeders: [{ name: 'default', produces: ['audio/x-matroska'] }],
  // matroskamux is in gstreamer1.0-plugins-good.
  elements: [{ element: 'matroskamux', debian: 'gstreamer1.0-plugins-good' }],
  implementation: './${n.type}',
  properties: {
    type: 'object',
    properties: {
      streamable: { type: 'boolean', default: true, description: 'Write a live stream a player can join at any time: no index, no duration' },
      'cluster-duration': {
        type: 'integer',
        minimum: 10,
        maximum: 10000,
        default: 500,
        'x-unit': 'ms',
        description: 'Audio gathered into one cluster before it is sent (lower means less latency, more overhead)',
      },
    },
  },
});
`,

  implementation: (n) => `import { inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { ${n.descriptorName} } from './descriptor';

type Properties = PropertiesOf<(typeof ${n.descriptorName})['properties']>;

const NANOSECONDS_PER_MS = 1_000_000;

/** matroskamux; every feed of the eater gets its own request pad, one track each. */
@injectable()
export default class ${n.className} implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const mux = part.element('matroskamux', 'mux', {
      streamable: this.props.streamable,
      'min-cluster-duration': this.props['cluster-duration'] * NANOSECONDS_PER_MS,
    });
    part.eater('default', mux);
    part.feeder('default', mux);
  }
}
`,

  test: (n) => `${testPreamble('decodes, discover, loadPluginUnderTest, testEncodedAudio')}
test('${n.type}: the registry accepts the package', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.components.map((c) => c.type), ['${n.type}']);
});

test('${n.type}: properties are checked like \`flowcast validate\` does', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.validate('${n.type}', { streamable: false, 'cluster-duration': 1000 }), []);
  const errors = plugin.validate('${n.type}', { 'cluster-duration': 5 });
  assert.equal(errors.length, 1, errors.join('\\n'));
  assert.match(errors[0]!, /FC_PROPERTY_INVALID component "${n.type}" property "cluster-duration": must be >= 10/);
});

test('${n.type}: muxes Vorbis and Opus feeds into one Matroska stream that decodes', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  const run = await plugin.run('${n.type}', { input: { default: [testEncodedAudio('vorbis'), testEncodedAudio('opus')] }, seconds: 2 });
  assert.match(run.caps(), /^audio\\/x-matroska/);
  const mkv = run.bytes();
  // Every Matroska file starts with the EBML magic number.
  assert.equal(mkv.subarray(0, 4).toString('hex'), '1a45dfa3');
  const info = await discover(mkv, '.mkv');
  assert.match(info.report, /Vorbis/, info.report);
  assert.match(info.report, /Opus/, info.report);
  const decoded = await decodes(mkv, 'matroskademux ! vorbisdec');
  assert.ok(decoded.ok, decoded.output);
});
`,

  flowExample: (n) => `  tone:
    type: producer-test
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: ${n.type}
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /live.mkv, port: 8800 }`,
};
