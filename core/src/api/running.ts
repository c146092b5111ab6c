/** What a component sees of its elements once the pipeline exists. */
export interface RunningPart {
  readonly component: string;
  /** The element this component added as `localName`. */
  element(localName: string): GstElementHandle;
  /** Report a failure of this component at run time; the runtime attributes and handles it. */
  fail(reason: string): void;
}

/** A GStreamer element: its GObject properties read and written as plain fields. */
export interface GstElementHandle {
  [property: string]: unknown;
}

/** An appsink element: `pull` calls back with the next buffer, or null at end of stream. */
export interface AppSinkHandle extends GstElementHandle {
  pull(callback: (buffer: Buffer | null, caps: CapsStructure) => void): void;
}

/** The first structure of a caps, as the binding gives it: `name` is the media type. */
export interface CapsStructure {
  readonly name?: string;
  readonly streamheader?: Buffer[];
  readonly [field: string]: unknown;
}

/** A message from the pipeline bus, attributed to the element that posted it. */
export interface PipelineMessage {
  readonly type: string;
  /** The posting element's full name. */
  readonly source: string;
  readonly text?: string;
  readonly debug?: string;
  readonly fields: Readonly<Record<string, unknown>>;
}
