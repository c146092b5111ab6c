import type { GstElementHandle } from '../api/running';

/** A bus message as gstreamer-superficial hands it over. */
export interface RawBusMessage {
  type: string;
  _src_element_name?: string;
  message?: string;
  debug?: string;
  [field: string]: unknown;
}

/** The part of gstreamer-superficial's Pipeline that Flowcast uses. */
export interface GstPipeline {
  play(): void;
  pause(): void;
  stop(): void;
  sendEOS(): void;
  findChild(name: string): GstElementHandle | undefined;
  pollBus(callback: (message: RawBusMessage) => void): void;
}

export interface GstBinding {
  Pipeline: new (description: string) => GstPipeline;
}

/** Load the native binding when a flow is about to run, not when the CLI merely validates. */
export function loadGstBinding(): GstBinding {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('gstreamer-superficial') as GstBinding;
}
