import os from 'node:os';
import { caps, fraction, gstEnum, type ElementRef, type PartBuilder } from './part';

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

/**
 * The properties every video encoder takes alike: the keyframe interval, and the size and frame
 * rate its conversion (videoConversion) gives the picture. Spread into a descriptor's
 * `properties.properties`; videoEncoder() reads them.
 */
export const VIDEO_ENCODER_PROPERTIES = {
  'keyframe-interval': {
    type: 'number',
    minimum: 0.1,
    maximum: 60,
    default: 2,
    'x-unit': 's',
    description: 'Seconds between keyframes: a new viewer starts at one, so shorter means a faster start and a bigger stream',
  },
  width: { type: 'integer', minimum: 16, maximum: 7680, 'x-unit': 'px', description: "Scale to this width before encoding (default: keep the input size; with only width or height, the other follows the picture's shape)" },
  height: { type: 'integer', minimum: 16, maximum: 4320, 'x-unit': 'px', description: 'Scale to this height before encoding (default: keep the input size)' },
  framerate: {
    type: 'integer',
    minimum: 1,
    maximum: 120,
    default: 25,
    'x-unit': 'frames/s',
    description: 'Encode this many frames a second, dropping or repeating input frames to fit; the keyframe interval is counted in these frames',
  },
} as const;

/** The elements videoEncoder() puts before the encoder, for a descriptor's `elements`. */
export const VIDEO_CONVERSION_ELEMENTS = ['videorate', 'videoscale', 'videoconvert'] as const;

/** What videoEncoder() needs of an encoder's properties (VIDEO_ENCODER_PROPERTIES). */
export interface VideoEncoderFormat extends VideoFormat {
  readonly 'keyframe-interval': number;
  readonly framerate: number;
}

/**
 * A video encoder's part: videoConversion to the size and rate asked for, then the encoder's own
 * elements, which `make` creates given the keyframe interval in frames; linked in that order, the
 * eater into the conversion, the feeder from the last of them. Every video encoder is built so.
 */
export function videoEncoder(part: PartBuilder, format: VideoEncoderFormat, make: (keyframeFrames: number) => ElementRef[]): void {
  const conversion = videoConversion(part, format);
  const chain = make(framesIn(format['keyframe-interval'], format.framerate));
  part.link(conversion.at(-1)!, ...chain);
  part.eater('default', conversion[0]!);
  part.feeder('default', chain.at(-1)!);
}

/** Most threads a `threads: 0` stands for: libvpx gains little beyond this at streaming sizes. */
const AUTO_THREADS_MAX = 8;

/** An encoder's `threads` property: 0 is one per CPU core, at most 8. */
export function encoderThreads(threads: number): number {
  return threads || Math.min(os.availableParallelism(), AUTO_THREADS_MAX);
}

/** libvpx (vp8enc, vp9enc) set up for live streaming, from the properties VP8 and VP9 share (threads resolved: encoderThreads). */
export interface LibvpxLive {
  readonly bitrate: number;
  readonly speed: number;
  readonly threads: number;
}

/**
 * vp8enc's and vp9enc's common settings for live streaming: deadline 1 is libvpx's real-time mode;
 * lag-in-frames 0 stops it holding frames back to look ahead (25 by default: a second of latency);
 * cbr keeps the rate a listener's link must carry.
 */
export function libvpxLive(p: LibvpxLive, keyframeFrames: number): Record<string, number | ReturnType<typeof gstEnum>> {
  return {
    'target-bitrate': p.bitrate,
    'end-usage': gstEnum('cbr'),
    deadline: 1,
    'lag-in-frames': 0,
    'keyframe-max-dist': keyframeFrames,
    'cpu-used': p.speed,
    threads: p.threads,
  };
}
