import { testPreamble, type KindTemplate } from './template';

/** The end of a flow: an appsink pulled from Node, counting what arrives and reporting it. */
export const consumerTemplate: KindTemplate = {
  summary: 'A meter that counts the buffers and bytes of any feed.',

  descriptor: (n) => `import { defineComponent } from '@flowcast/core';

/** What the registry knows of ${n.type} without loading its code. */
export const ${n.descriptorName} = defineComponent({
  type: '${n.type}',
  kind: 'consumer',
  description: 'Counts the buffers and bytes of any feed, and logs the count at an interval.',
  eaters: [{ name: 'default', accepts: ['*'] }],
  feeders: [],
  elements: ['appsink'],
  implementation: './${n.type}',
  properties: {
    type: 'object',
    properties: {
      interval: { type: 'integer', minimum: 1, maximum: 3600, default: 10, 'x-unit': 's', description: 'Seconds between two log lines of the count' },
    },
  },
});
`,

  implementation: (n) => `import {
  inject,
  injectable,
  TOKENS,
  type AppSinkHandle,
  type Component,
  type Logger,
  type PartBuilder,
  type PropertiesOf,
  type RunningPart,
} from '@flowcast/core';
import type { ${n.descriptorName} } from './descriptor';

type Properties = PropertiesOf<(typeof ${n.descriptorName})['properties']>;

/** How long to wait before pulling again from a sink that is not playing yet. */
const SINK_RETRY_MS = 20;

/** appsink, pulled from Node: every buffer is counted. */
@injectable()
export default class ${n.className} implements Component {
  private buffers = 0;
  private bytes = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.logger) private readonly log: Logger,
  ) {}

  build(part: PartBuilder): void {
    // sync: false takes buffers as they come; the pace is set upstream (a live producer).
    const sink = part.element('appsink', 'sink', { sync: false, 'emit-signals': false, 'max-buffers': 0, drop: false });
    part.eater('default', sink);
  }

  start(part: RunningPart): void {
    this.timer = setInterval(() => this.log.info('count', { ...this.stats() }), this.props.interval * 1000);
    this.pull(part.element('sink') as AppSinkHandle);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  stats(): Readonly<Record<string, number>> {
    return { buffers: this.buffers, bytes: this.bytes };
  }

  private pull(sink: AppSinkHandle): void {
    const onSample = (buffer: Buffer | null): void => {
      if (this.stopped) return;
      if (!buffer) {
        // Null is end-of-stream once the sink says so; before that, the sink is not playing yet.
        if (sink['eos'] !== true) setTimeout(() => sink.pull(onSample), SINK_RETRY_MS);
        return;
      }
      this.buffers++;
      this.bytes += buffer.length;
      sink.pull(onSample);
    };
    sink.pull(onSample);
  }
}
`,

  test: (n) => `${testPreamble('loadPluginUnderTest, testAudio, testEncodedAudio')}
test('${n.type}: the registry accepts the package', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.components.map((c) => c.type), ['${n.type}']);
});

test('${n.type}: properties are checked like \`flowcast validate\` does', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.validate('${n.type}', { interval: 60 }), []);
  const errors = plugin.validate('${n.type}', { interval: 0 });
  assert.equal(errors.length, 1, errors.join('\\n'));
  assert.match(errors[0]!, /FC_PROPERTY_INVALID component "${n.type}" property "interval": must be >= 1/);
});

test('${n.type}: counts every byte of a feed', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  // One second of 16-bit mono at 8000 Hz is exactly 16000 bytes.
  const raw = await plugin.run('${n.type}', { input: testAudio({ samplerate: 8000, channels: 1 }), seconds: 1 });
  const counted = raw.stats();
  assert.equal(counted?.['bytes'], 16000);
  assert.ok((counted?.['buffers'] ?? 0) > 0);
  // Any media: encoded audio too.
  const encoded = await plugin.run('${n.type}', { input: testEncodedAudio('opus'), seconds: 1 });
  assert.ok((encoded.stats()?.['bytes'] ?? 0) > 1000, JSON.stringify(encoded.stats()));
});
`,

  flowExample: (n) => `  tone:
    type: producer-test
  meter:
    type: ${n.type}
    eats: tone
    properties: { interval: 5 }`,
};
