import type { PartBuilder } from './part';
import type { PipelineMessage, RunningPart } from './running';
import type { PropertySchema } from './schema';

/** `bouncer`: no media; checks listeners for the mounts that name it (see access.ts). */
export const COMPONENT_KINDS = ['producer', 'converter', 'encoder', 'muxer', 'consumer', 'bouncer'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];
/** The kinds `flowcast plugin new` has a working template for. */
export const SCAFFOLD_KINDS = ['producer', 'converter', 'encoder', 'muxer', 'consumer'] as const satisfies readonly ComponentKind[];
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number];

/** An input of a component. `accepts` lists media types (`audio/x-raw`, `audio/*`, `*`). */
export interface EaterSpec {
  readonly name: string;
  readonly accepts: readonly string[];
  /** The component cannot run unless this eater is fed (default true). */
  readonly required?: boolean;
  /** More than one feed may go into this eater, as into a muxer (default false). */
  readonly multiple?: boolean;
  /**
   * The component can do without this feed (a switch's main, with a backup): an error in a
   * component that only feeds this eater does not stop the flow; under `flowcast serve` the flow
   * runs on without that component until it is retried (default false).
   */
  readonly failover?: boolean;
  readonly description?: string;
}

/** An output of a component and the media types it produces. */
export interface FeederSpec {
  readonly name: string;
  readonly produces: readonly string[];
  readonly description?: string;
}

/** A GStreamer element a component needs, and the Debian package that provides it when known. */
/**
 * A GStreamer element a component uses: its name, or `{ element, debian }` to name the Debian
 * package that provides it, or `{ element, bundled: true }` for an element the plugin registers
 * itself (from a native addon its implementation loads), which is not looked for in GStreamer.
 */
export type ElementNeed = string | { readonly element: string; readonly debian?: string; readonly bundled?: boolean };

/**
 * Something only one component may hold at a time, such as an HTTP port and mount path: two
 * components whose claims of one `resource` have equal values for `properties` conflict.
 */
export interface ClaimSpec {
  readonly resource: string;
  readonly properties: readonly string[];
}

/** The static description of a component: read into the registry without loading its code. */
export interface ComponentDescriptor<S extends PropertySchema = PropertySchema> {
  readonly type: string;
  readonly kind: ComponentKind;
  readonly description: string;
  readonly eaters: readonly EaterSpec[];
  readonly feeders: readonly FeederSpec[];
  readonly properties: S;
  readonly elements: readonly ElementNeed[];
  readonly claims?: readonly ClaimSpec[];
  /**
   * Mutually exclusive properties (`[["quality", "bitrate"]]`): setting more than one of a group
   * is a validation error. Checked on what the operator wrote, before defaults apply.
   */
  readonly exclusive?: readonly (readonly string[])[];
  /** Module with the component class as its default export, relative to the manifest module. */
  readonly implementation: string;
}

/** What a plugin's manifest module exports as default. */
export interface PluginManifest {
  readonly components: readonly ComponentDescriptor[];
}

/**
 * A running component. The class is resolved by dependency injection; it receives its validated
 * properties (`@inject(TOKENS.properties)`) and the core services it asks for.
 */
export interface Component {
  /** Checks made before anything starts, such as "the device exists". Throw a FlowcastError. */
  preflight?(): void | Promise<void>;
  /** Describe this component's elements, their links, and where eaters and feeders attach. */
  build(part: PartBuilder): void;
  /** The pipeline exists and is about to play: open sockets, start pulling from sinks. */
  start?(part: RunningPart): void | Promise<void>;
  /** The pipeline has stopped: release what `start` took. Must not throw. */
  stop?(): void | Promise<void>;
  /**
   * The pipeline failed and is about to be rebuilt (under `flowcast serve`): let go of its
   * elements but keep what should outlive one pipeline, such as a mount and its listeners.
   * `build` and `start` are then called again on this same instance for the new pipeline, or
   * `stop` if the flow is stopped instead. Components without it are stopped and created anew.
   * Must not throw.
   */
  suspend?(): void | Promise<void>;
  /**
   * When this component last received data from upstream (the runtime's clock, monotonic ms), or
   * undefined before the first; a feed silent for too long makes the component hungry.
   */
  lastDataAt?(): number | undefined;
  /** Turn a GStreamer error raised by this component's elements into a sentence for operators. */
  explainError?(message: PipelineMessage): string | undefined;
  /** A message an element of this component posted on the bus (`type` "element", such as `level`'s). */
  onElementMessage?(message: PipelineMessage): void;
  /**
   * Apply new values of properties marked `x-live` while the pipeline runs (a volume, a bitrate,
   * a listener limit). `changes` holds only the changed ones, validated against the schema. Throw
   * (a FlowcastError says it best) when a value cannot be applied: the runtime then hands back
   * the previous values, so the component is as it was.
   */
  update?(changes: Readonly<Record<string, unknown>>): void | Promise<void>;
  /** Counters and gauges of the running component (listeners, bytes, …), logged periodically. */
  stats?(): Readonly<Record<string, number>>;
  /** The clients connected to this component (a streamer's listeners), for the admin API. */
  listeners?(): readonly ListenerInfo[];
  /** Disconnect one of `listeners()` by its id; false when it is not connected (any more). */
  kick?(id: number): boolean;
  /**
   * The latest audio levels of the component's audio (GStreamer's `level` element), one entry
   * per channel in dBFS (peak and RMS), for the admin dashboard's meters; undefined when unknown.
   */
  levels?(): AudioLevels | undefined;
}

/** One client of a component, as the admin API lists it. */
export interface ListenerInfo {
  readonly id: number;
  /** The mount it listens to (a streamer's path). */
  readonly mount: string;
  readonly address: string;
  readonly userAgent?: string;
  /** When it connected, ms since the epoch. */
  readonly connectedAt: number;
  /** Response body bytes sent to it. */
  readonly bytes: number;
  /** How far behind the live stream it is (ms). */
  readonly lagMs: number;
}

/** Audio levels per channel, in dBFS (-inf is sent as a large negative number). */
export interface AudioLevels {
  readonly peak: readonly number[];
  readonly rms: readonly number[];
}

// tsyringe resolves any constructor; the parameters are injection tokens, so `any` is the honest type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ComponentClass = new (...args: any[]) => Component;

/** Declare a component. `const` keeps the schema literal so `PropertiesOf` can type it. */
export function defineComponent<const S extends PropertySchema>(descriptor: ComponentDescriptor<S>): ComponentDescriptor<S> {
  return descriptor;
}

/** Declare a plugin's manifest: the default export of the module its package.json names. */
export function definePlugin(manifest: PluginManifest): PluginManifest {
  return manifest;
}
