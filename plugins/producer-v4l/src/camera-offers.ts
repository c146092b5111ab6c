import type { CameraMode } from '@flowcast/core';

export interface WantedMode {
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly framerate: number;
}

/** "YUY2 640x480 at 30 or 15 frames/s" */
export function describeMode(mode: CameraMode): string {
  return `${mode.format} ${mode.width}x${mode.height}${mode.framerates.length ? ` at ${[...new Set(mode.framerates)].join(' or ')} frames/s` : ''}`;
}

/**
 * Whether the camera offers what the flow asks for: a mode with that format and size, and that
 * frame rate when the camera lists its rates (a range is taken as offering it).
 */
export function offers(modes: readonly CameraMode[], wanted: WantedMode): boolean {
  return modes.some(
    (m) => m.format === wanted.format && m.width === wanted.width && m.height === wanted.height && (m.framerates.length === 0 || m.framerates.includes(wanted.framerate)),
  );
}
