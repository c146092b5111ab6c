import { PEAK_HELPER, testPreamble, type KindTemplate } from './template';

/** A live test tone: audiotestsrc at a chosen frequency, level, rate and channel count. */
export const producerTemplate: KindTemplate = {
  summary: 'A live sine tone.',

  descriptor: (n) => `import { defineComponent } from '@flowcast/core';

/** What the registry knows of ${n.type} without loading its code. */
export const ${n.descriptorName} = defineComponent({
  type: '${n.type}',
  kind: 'producer',
  description: 'A live sine tone at a chosen frequency and level.',
  eaters: [],
  feeders: [{ name: 'default', produces: ['audio/x-raw'], description: 'the tone, 16-bit' }],
  elements: ['audiotestsrc'],
  implementation: './${n.type}',
  properties: {
    type: 'object',
    properties: {
      frequency: { type: 'number', minimum: 20, maximum: 20000, default: 440, 'x-unit': 'Hz', description: 'Frequency of the tone' },
      volume: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Level of the tone, 1 is full scale' },
      samplerate: { type: 'integer', minimum: 8000, maximum: 96000, default: 48000, 'x-unit': 'Hz', description: 'Samples per second' },
      channels: { type: 'integer', minimum: 1, maximum: 2, default: 2, description: 'Number of channels' },
    },
  },
});
`,

  implementation: (n) => `import { caps, gstEnum, inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { ${n.descriptorName} } from './descriptor';

type Properties = PropertiesOf<(typeof ${n.descriptorName})['properties']>;

/** Buffers of 20 ms: short enough for low latency, long enough to keep the overhead small. */
const BUFFERS_PER_SECOND = 50;

/** audiotestsrc (live) ! capsfilter */
@injectable()
export default class ${n.className} implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const { frequency, volume, samplerate, channels } = this.props;
    // Live: the tone comes at the pace of the clock, like a sound card, not as fast as possible.
    const source = part.element('audiotestsrc', 'source', {
      'is-live': true,
      wave: gstEnum('sine'),
      freq: frequency,
      volume,
      samplesperbuffer: Math.round(samplerate / BUFFERS_PER_SECOND),
    });
    const format = part.element('capsfilter', 'format', {
      caps: caps('audio/x-raw', { format: 'S16LE', layout: 'interleaved', rate: samplerate, channels }),
    });
    part.link(source, format);
    part.feeder('default', format);
  }
}
`,

  test: (n) => `${testPreamble('loadPluginUnderTest')}
${PEAK_HELPER}
test('${n.type}: the registry accepts the package', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.components.map((c) => c.type), ['${n.type}']);
});

test('${n.type}: properties are checked like \`flowcast validate\` does', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.validate('${n.type}', { frequency: 1000, volume: 0.2 }), []);
  const errors = plugin.validate('${n.type}', { frequency: 5 });
  assert.equal(errors.length, 1, errors.join('\\n'));
  assert.match(errors[0]!, /FC_PROPERTY_INVALID component "${n.type}" property "frequency": must be >= 20/);
});

test('${n.type}: plays a tone at the rate, channels and level asked', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  // A live producer runs for this many seconds of wall time.
  const run = await plugin.run('${n.type}', { properties: { samplerate: 16000, channels: 1, volume: 0.25 }, seconds: 1 });
  assert.match(run.caps(), /^audio\\/x-raw, format=\\(string\\)S16LE, layout=\\(string\\)interleaved, rate=\\(int\\)16000, channels=\\(int\\)1/);
  const pcm = run.bytes();
  assert.ok(pcm.length >= 16000 * 2 * 0.5, \`only \${pcm.length} bytes in a second\`);
  const level = peak(pcm) / 32767;
  assert.ok(Math.abs(level - 0.25) < 0.02, \`peak level \${level}, expected 0.25\`);
});
`,

  flowExample: (n) => `  tone:
    type: ${n.type}
    properties: { frequency: 880, volume: 0.3 }
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /tone.ogg, port: 8800 }`,
};
