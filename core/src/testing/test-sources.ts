/**
 * What feeds the component under test: raw audio, raw video or encoded audio made by GStreamer's
 * test sources. Each is an internal component of the test kit (see internal-components.ts); these
 * functions only say which one and with what properties.
 */

/** One feed for an eater of the component under test. */
export interface TestSource {
  /** The test kit's internal component type that makes it (`test-audio`, `test-video`, …). */
  readonly type: string;
  /** The media type it produces, as GStreamer names the caps. */
  readonly mediaType: string;
  /** Its properties, checked against the internal component's schema like any component's. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export type TestWave = 'sine' | 'white-noise' | 'silence';
export type TestCodec = 'vorbis' | 'opus' | 'flac';

export interface TestAudioOptions {
  /** Samples per second (default 44100). */
  samplerate?: number;
  /** Default 2. */
  channels?: number;
  /** Default `sine`. */
  wave?: TestWave;
  /** Of the sine, in Hz (default 440). */
  frequency?: number;
}

export interface TestVideoOptions {
  /** Default 320. */
  width?: number;
  /** Default 240. */
  height?: number;
  /** Frames per second (default 25). */
  framerate?: number;
}

function defined(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/**
 * Raw audio (audio/x-raw, S16LE interleaved), a half-scale sine by default, so a gain of up to
 * +6 dB does not clip.
 */
export function testAudio(options: TestAudioOptions = {}): TestSource {
  return { type: 'test-audio', mediaType: 'audio/x-raw', properties: defined(options) };
}

/** Raw video (video/x-raw, I420), GStreamer's SMPTE colour bars. */
export function testVideo(options: TestVideoOptions = {}): TestSource {
  return { type: 'test-video', mediaType: 'video/x-raw', properties: defined(options) };
}

/** Encoded audio (audio/x-vorbis, audio/x-opus or audio/x-flac; 48000 Hz stereo), for muxer tests. */
export function testEncodedAudio(codec: TestCodec): TestSource {
  return { type: `test-${codec}`, mediaType: `audio/x-${codec}`, properties: {} };
}

/** Sources tried, in order, when an eater is left unfed: the first whose media type it accepts. */
export function defaultSourceCandidates(): TestSource[] {
  return [testAudio(), testVideo(), testEncodedAudio('vorbis'), testEncodedAudio('opus'), testEncodedAudio('flac')];
}

export function isTestSource(value: unknown): value is TestSource {
  const candidate = value as Partial<TestSource> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.type === 'string' && typeof candidate.mediaType === 'string';
}
