import { testPreamble, type KindTemplate } from './template';

/** Raw audio to FLAC (flacenc), which muxer-ogg carries. */
export const encoderTemplate: KindTemplate = {
  summary: 'A FLAC (lossless audio) encoder.',

  descriptor: (n) => `import { defineComponent } from '@flowcast/core';

/** What the registry knows of ${n.type} without loading its code. */
export const ${n.descriptorName} = defineComponent({
  type: '${n.type}',
  kind: 'encoder',
  description: 'Encodes raw audio to FLAC, lossless, converting the sample format as needed.',
  eaters: [{ name: 'default', accepts: ['audio/x-raw'] }],
  feeders: [{ name: 'default', produces: ['audio/x-flac'] }],
  // flacenc is not one of the elements Flowcast knows the Debian package of, so name it.
  elements: ['audioconvert', { element: 'flacenc', debian: 'gstreamer1.0-plugins-good' }],
  implementation: './${n.type}',
  properties: {
    type: 'object',
    properties: {
      quality: { type: 'integer', minimum: 0, maximum: 8, default: 5, description: 'Compression effort: 0 is fastest, 8 gives the smallest stream' },
      'block-size': { type: 'integer', minimum: 16, maximum: 65535, default: 4608, 'x-unit': 'samples', description: 'Samples per FLAC frame' },
    },
  },
});
`,

  implementation: (n) => `import { caps, gstEnum, inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { ${n.descriptorName} } from './descriptor';

type Properties = PropertiesOf<(typeof ${n.descriptorName})['properties']>;

/** audioconvert ! capsfilter ! flacenc */
@injectable()
export default class ${n.className} implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const convert = part.element('audioconvert', 'convert');
    // flacenc lists 8-bit samples first, and audioconvert would settle on them: ask for 16 bits.
    const format = part.element('capsfilter', 'format', { caps: caps('audio/x-raw', { format: 'S16LE' }) });
    // flacenc's quality is a GStreamer enum whose values are named "0" to "8".
    const encoder = part.element('flacenc', 'encoder', { quality: gstEnum(String(this.props.quality)), blocksize: this.props['block-size'] });
    part.link(convert, format, encoder);
    part.eater('default', convert);
    part.feeder('default', encoder);
  }
}
`,

  test: (n) => `${testPreamble('decodes, loadPluginUnderTest, testAudio')}
test('${n.type}: the registry accepts the package', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.components.map((c) => c.type), ['${n.type}']);
});

test('${n.type}: properties are checked like \`flowcast validate\` does', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.validate('${n.type}', { quality: 8, 'block-size': 1152 }), []);
  const errors = plugin.validate('${n.type}', { quality: 9 });
  assert.equal(errors.length, 1, errors.join('\\n'));
  assert.match(errors[0]!, /FC_PROPERTY_INVALID component "${n.type}" property "quality": must be <= 8/);
});

test('${n.type}: encodes a test tone to FLAC that decodes', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  const run = await plugin.run('${n.type}', { input: testAudio({ samplerate: 48000, channels: 2 }), properties: { quality: 8 }, seconds: 2 });
  const caps = run.caps();
  assert.match(caps, /^audio\\/x-flac, /);
  assert.match(caps, /\\brate=\\(int\\)48000\\b/);
  assert.match(caps, /\\bchannels=\\(int\\)2\\b/);
  const flac = run.bytes();
  // A FLAC stream starts with its marker, then the STREAMINFO block: 16 bits per sample asked for.
  assert.equal(flac.subarray(0, 4).toString('latin1'), 'fLaC');
  const bitsPerSample = ((flac.readUInt16BE(20) >> 4) & 0x1f) + 1;
  assert.equal(bitsPerSample, 16);
  // A sine compresses well: far less than the 384000 bytes of two seconds of 16-bit stereo.
  assert.ok(flac.length > 0 && flac.length < 384000 / 2, \`\${flac.length} bytes\`);
  const decoded = await decodes(flac, 'flacparse ! flacdec');
  assert.ok(decoded.ok, decoded.output);
});
`,

  flowExample: (n) => `  tone:
    type: producer-test
  enc:
    type: ${n.type}
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /lossless.ogg, port: 8800 }`,
};
