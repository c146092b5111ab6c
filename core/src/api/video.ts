import { caps, fraction, type ElementRef, type PartBuilder } from './part';

/** The size and frame rate a video component converts its input to; unset fields are kept. */
export interface VideoFormat {
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly framerate?: number | undefined;
}

/**
 * videorate ! videoscale ! videoconvert ! capsfilter: raw video of any size, rate and pixel format
 * in, `format` out. Encoders and converter-scale share it so that they scale alike. Rate first, so
 * dropped frames are never scaled; square pixels whenever a size is given, so that giving only the
 * width (or height) keeps the picture's shape instead of stretching its pixels.
 * Returns the chain, already linked: eat into the first element, link on from the last.
 */
export function videoConversion(part: PartBuilder, format: VideoFormat): ElementRef[] {
  const { width, height, framerate } = format;
  const sized = width !== undefined || height !== undefined;
  const fields = {
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    ...(sized ? { 'pixel-aspect-ratio': fraction(1) } : {}),
    ...(framerate !== undefined ? { framerate: fraction(framerate) } : {}),
  };
  const chain = [
    part.element('videorate', 'rate'),
    part.element('videoscale', 'scale'),
    part.element('videoconvert', 'convert'),
    part.element('capsfilter', 'format', { caps: caps('video/x-raw', fields) }),
  ];
  part.link(...chain);
  return chain;
}

/** A keyframe interval in seconds as a count of frames at `framerate` (at least 1). */
export function framesIn(seconds: number, framerate: number): number {
  return Math.max(1, Math.round(seconds * framerate));
}
