import type { AudioLevels, ComponentClass } from '../api/component';
import { FlowcastError } from '../errors/flowcast-error';
import { formatDiagnostic } from '../flow/reporter';
import type { Diagnostic } from '../flow/types';
import { validateFlowText } from '../flow/validate';
import type { ImplementationLoader } from '../runtime/flow-runtime';
import { Registry, splitTypeName } from '../registry/registry';
import type { RegistryComponent } from '../registry/types';
import { captureClass, CaptureStore } from './capture';
import { checkPluginPackage, type CheckedPlugin } from './check-plugin';
import { harnessFlow } from './harness-flow';
import { runHarnessFlow } from './harness-run';
import { TEST_KIT_PACKAGE, testKitComponents, CAPTURE_TYPE } from './internal-components';
import { sourceClasses } from './source-classes';
import type { TestSource } from './test-sources';

// A run keeps libuv pool threads blocked: one on the GStreamer bus and one per appsink pull. Node's
// default of 4 would starve file-system and DNS work, so raise it as bin/flowcast.js does. It only
// counts before the pool's first use, which is why it is done when the test kit is imported.
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '64';

/** Stream time of a run when none is given. */
const DEFAULT_SECONDS = 1;

export interface ComponentRunOptions {
  properties?: Record<string, unknown>;
  /** What feeds the component's eaters: one source for the default eater, or a map eater → source(s). */
  input?: TestSource | Record<string, TestSource | TestSource[]>;
  /**
   * Stream time to run, in seconds (default 1): sources stop after this and the run ends at
   * end-of-stream. A producer under test is stopped after this much wall time if it has not ended.
   */
  seconds?: number;
}

/** What a run of one component captured. `feeder` defaults to the component's first feeder. */
export interface ComponentRun {
  /** The caps negotiated on that feeder, in GStreamer's serialised form ("audio/x-opus, rate=(int)48000, …"). */
  caps(feeder?: string): string;
  /** Every buffer the capture on that feeder received, in order. */
  buffers(feeder?: string): Buffer[];
  /** The same, concatenated. */
  bytes(feeder?: string): Buffer;
  /** The component's own stats() at the end, when it has them (a consumer has no feeders, but may count). */
  stats(): Readonly<Record<string, number>> | undefined;
  /** The component's last audio levels (levels(): its `level` element's), when it measures them. */
  levels(): AudioLevels | undefined;
}

export interface PluginUnderTest {
  readonly name: string;
  readonly version: string;
  /** The components as the registry sees them. */
  readonly components: readonly RegistryComponent[];
  /**
   * The errors `flowcast validate` would report for these properties (empty when valid): each line
   * has the code (FC_PROPERTY_INVALID …), component and property.
   */
  validate(type: string, properties: Record<string, unknown>): string[];
  /** Run one component between test sources and captures, through validation and the real runtime. */
  run(type: string, options?: ComponentRunOptions): Promise<ComponentRun>;
}

/**
 * Read a plugin package exactly as the registry does and return it ready to test; a FlowcastError
 * lists what is wrong when the registry would refuse it. Nothing is written anywhere.
 */
export async function loadPluginUnderTest(packageDirectory: string): Promise<PluginUnderTest> {
  return new LoadedPlugin(checkPluginPackage(packageDirectory));
}

class LoadedPlugin implements PluginUnderTest {
  readonly name: string;
  readonly version: string;
  readonly components: readonly RegistryComponent[];
  /** The plugin's components and the test kit's own, in memory only. */
  private readonly registry: Registry;

  constructor(plugin: CheckedPlugin) {
    this.name = plugin.name;
    this.version = plugin.version;
    this.components = plugin.components;
    this.registry = new Registry(plugin.directory, {
      format: 1,
      packages: [{ name: plugin.name, version: plugin.version, path: '.' }],
      components: [...plugin.components, ...testKitComponents()],
    });
  }

  validate(type: string, properties: Record<string, unknown>): string[] {
    const subject = this.component(type);
    const flow = harnessFlow(subject, properties, undefined, DEFAULT_SECONDS, (t) => this.registry.isUnique(t));
    return errors(validateFlowText(flow.text, testFlowFile(subject), this.registry).diagnostics).map(withoutPosition);
  }

  async run(type: string, options: ComponentRunOptions = {}): Promise<ComponentRun> {
    const subject = this.component(type);
    const seconds = options.seconds ?? DEFAULT_SECONDS;
    const flow = harnessFlow(subject, options.properties ?? {}, options.input, seconds, (t) => this.registry.isUnique(t));
    const validation = validateFlowText(flow.text, testFlowFile(subject), this.registry);
    const found = errors(validation.diagnostics);
    if (!validation.flow || found.length > 0) {
      const first = found[0];
      throw new FlowcastError(first?.code ?? 'FC_FLOW_SHAPE', `the test flow of ${subject.type} is invalid: ${found.map((d) => withoutPosition({ ...d, fix: undefined })).join('; ')}`, {
        ...(first?.fix ? { fix: first.fix } : {}),
        location: { ...(first?.component ? { component: first.component } : {}), ...(first?.property ? { property: first.property } : {}) },
      });
    }
    const store = new CaptureStore();
    const result = await runHarnessFlow({
      flow: validation.flow,
      loader: this.loader(store),
      store,
      subject: flow.subject,
      ...(subject.eaters.length === 0 ? { wallTimeMs: seconds * 1000 } : {}),
      limitMs: (Math.max(30, seconds * 4) + 15) * 1000,
    });
    return capturedRun(subject, flow.captures, store, result.stats, result.levels);
  }

  /** The test kit's components come from here; the plugin's are loaded by the registry, as in `flowcast run`. */
  private loader(store: CaptureStore): ImplementationLoader {
    const internal = new Map<string, ComponentClass>([...sourceClasses(), [CAPTURE_TYPE, captureClass(store)]]);
    return {
      loadImplementation: (component) => {
        if (component.package !== TEST_KIT_PACKAGE) return this.registry.loadImplementation(component);
        const implementation = internal.get(component.type);
        if (!implementation) throw new FlowcastError('FC_UNKNOWN_TYPE', `the test kit has no component "${component.type}"`);
        return implementation;
      },
    };
  }

  private component(type: string): RegistryComponent {
    const wanted = splitTypeName(type);
    const found = this.components.find((c) => c.type === wanted.type && (wanted.package === undefined || wanted.package === c.package));
    if (found) return found;
    throw new FlowcastError('FC_UNKNOWN_TYPE', `${this.name} has no component type "${type}" (it has ${this.components.map((c) => c.type).join(', ') || 'none'})`, {
      fix: 'use a type the plugin\'s manifest declares',
    });
  }
}

function capturedRun(subject: RegistryComponent, captures: ReadonlyMap<string, string>, store: CaptureStore, stats: Readonly<Record<string, number>> | undefined, levels?: AudioLevels): ComponentRun {
  const feed = (feeder: string | undefined) => {
    const name = feeder ?? subject.feeders[0]?.name;
    const capture = name === undefined ? undefined : captures.get(name);
    if (capture === undefined) {
      const list = subject.feeders.map((f) => f.name).join(', ');
      throw new FlowcastError('FC_UNKNOWN_FEED', `${subject.type} has ${name === undefined ? 'no feeders' : `no feeder "${name}" (it has ${list || 'none'})`}`, {
        fix: list ? `ask for one of: ${list}` : 'a consumer feeds nothing: look at its stats()',
      });
    }
    return { name: name!, captured: store.get(capture)! };
  };
  return {
    caps: (feeder) => {
      const { name, captured } = feed(feeder);
      if (captured.caps === undefined) {
        throw new FlowcastError('FC_COMPONENT_FAILED', `feeder "${name}" of ${subject.type} produced no buffer, so it has no caps`, { fix: 'check that the component passes data on; `GST_DEBUG=3` shows GStreamer\'s log' });
      }
      return captured.caps;
    },
    buffers: (feeder) => [...feed(feeder).captured.buffers],
    bytes: (feeder) => Buffer.concat(feed(feeder).captured.buffers),
    stats: () => stats,
    levels: () => levels,
  };
}

function errors(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** The test flow exists only in memory: its line and column would point nowhere. */
function withoutPosition(d: Diagnostic): string {
  return formatDiagnostic(d).slice(`${d.file}:${d.line}:${d.col}: `.length);
}

function testFlowFile(subject: RegistryComponent): string {
  return `(test flow of ${subject.type})`;
}
