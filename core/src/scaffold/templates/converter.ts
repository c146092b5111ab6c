import { PEAK_HELPER, testPreamble, type KindTemplate } from './template';

/** A gain: raw audio in, the same raw audio louder or quieter out (audioconvert ! volume). */
export const converterTemplate: KindTemplate = {
  summary: 'A gain in decibels on raw audio.',

  descriptor: (n) => `import { defineComponent } from '@flowcast/core';

/** What the registry knows of ${n.type} without loading its code. */
export const ${n.descriptorName} = defineComponent({
  type: '${n.type}',
  kind: 'converter',
  description: 'Raises or lowers the level of raw audio by a gain in decibels.',
  eaters: [{ name: 'default', accepts: ['audio/x-raw'] }],
  feeders: [{ name: 'default', produces: ['audio/x-raw'] }],
  elements: ['audioconvert', 'volume'],
  implementation: './${n.type}',
  properties: {
    type: 'object',
    properties: {
      gain: { type: 'number', minimum: -60, maximum: 20, default: 0, 'x-unit': 'dB', description: 'Gain applied to every sample; negative is quieter' },
      mute: { type: 'boolean', default: false, description: 'Output silence instead' },
    },
  },
});
`,

  implementation: (n) => `import { inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { ${n.descriptorName} } from './descriptor';

type Properties = PropertiesOf<(typeof ${n.descriptorName})['properties']>;

/** audioconvert ! volume ! audioconvert */
@injectable()
export default class ${n.className} implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    // volume takes a linear factor; operators think in decibels.
    const factor = Math.pow(10, this.props.gain / 20);
    const input = part.element('audioconvert', 'input');
    const gain = part.element('volume', 'gain', { volume: factor, mute: this.props.mute });
    // Converters on both sides let volume work in a format it knows and hand on what comes next wants.
    const output = part.element('audioconvert', 'output');
    part.link(input, gain, output);
    part.eater('default', input);
    part.feeder('default', output);
  }
}
`,

  test: (n) => `${testPreamble('loadPluginUnderTest, testAudio')}
${PEAK_HELPER}
test('${n.type}: the registry accepts the package', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.components.map((c) => c.type), ['${n.type}']);
});

test('${n.type}: properties are checked like \`flowcast validate\` does', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.validate('${n.type}', { gain: -12, mute: false }), []);
  const errors = plugin.validate('${n.type}', { gain: 40 });
  assert.equal(errors.length, 1, errors.join('\\n'));
  assert.match(errors[0]!, /FC_PROPERTY_INVALID component "${n.type}" property "gain": must be <= 20/);
});

test('${n.type}: -6 dB halves the level of a test tone, and keeps its format', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  const input = testAudio({ samplerate: 22050, channels: 1 });
  const unchanged = await plugin.run('${n.type}', { input, properties: { gain: 0 } });
  const quieter = await plugin.run('${n.type}', { input, properties: { gain: -6 } });
  assert.match(quieter.caps(), /^audio\\/x-raw, format=\\(string\\)S16LE, layout=\\(string\\)interleaved, rate=\\(int\\)22050, channels=\\(int\\)1/);
  // One second of stream time in, one second out.
  assert.equal(quieter.bytes().length, 22050 * 2);
  const ratio = peak(quieter.bytes()) / peak(unchanged.bytes());
  assert.ok(Math.abs(ratio - Math.pow(10, -6 / 20)) < 0.01, \`level ratio \${ratio}\`);
  const muted = await plugin.run('${n.type}', { input, properties: { mute: true } });
  assert.equal(peak(muted.bytes()), 0);
});
`,

  flowExample: (n) => `  tone:
    type: producer-test
  quieter:
    type: ${n.type}
    eats: tone
    properties: { gain: -6 }
  enc:
    type: encoder-vorbis
    eats: quieter
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /quieter.ogg, port: 8800 }`,
};
