import { caps, fraction, gstEnum, type ElementRef, type PartBuilder } from '../api/part';

/**
 * The GStreamer side of the test kit's sources. They are not live, so a run takes as long as the
 * component under test needs and not the stream time; `num-buffers` ends them after `seconds` of
 * stream time, and that end-of-stream ends the run.
 */

/** Audio buffers of 20 ms, so a number of seconds is a whole number of buffers at common rates. */
const AUDIO_BUFFERS_PER_SECOND = 50;
/** Half scale: room for a converter under test to raise the level by 6 dB without clipping. */
const TEST_AUDIO_VOLUME = 0.5;
/** What testEncodedAudio encodes: a rate every codec here takes as is (Opus only takes 48 kHz and divisors). */
const ENCODED_RATE = 48000;
const ENCODED_CHANNELS = 2;

export interface AudioSourceProperties {
  samplerate: number;
  channels: number;
  wave: string;
  frequency: number;
  seconds: number;
}

export interface VideoSourceProperties {
  width: number;
  height: number;
  framerate: number;
  seconds: number;
}

function audioSource(part: PartBuilder, p: AudioSourceProperties): ElementRef {
  const samplesPerBuffer = Math.max(1, Math.round(p.samplerate / AUDIO_BUFFERS_PER_SECOND));
  const src = part.element('audiotestsrc', 'src', {
    'is-live': false,
    wave: gstEnum(p.wave),
    freq: p.frequency,
    volume: TEST_AUDIO_VOLUME,
    samplesperbuffer: samplesPerBuffer,
    'num-buffers': Math.max(1, Math.round((p.seconds * p.samplerate) / samplesPerBuffer)),
  });
  const format = part.element('capsfilter', 'format', {
    caps: caps('audio/x-raw', { format: 'S16LE', layout: 'interleaved', rate: p.samplerate, channels: p.channels }),
  });
  part.link(src, format);
  return format;
}

export function buildTestAudio(part: PartBuilder, p: AudioSourceProperties): void {
  part.feeder('default', audioSource(part, p));
}

export function buildTestVideo(part: PartBuilder, p: VideoSourceProperties): void {
  const src = part.element('videotestsrc', 'src', { 'is-live': false, 'num-buffers': Math.max(1, Math.round(p.seconds * p.framerate)) });
  const format = part.element('capsfilter', 'format', { caps: caps('video/x-raw', { format: 'I420', width: p.width, height: p.height, framerate: fraction(p.framerate) }) });
  part.link(src, format);
  part.feeder('default', format);
}

/** The encoder element of each codec testEncodedAudio offers. */
export const ENCODERS = { vorbis: 'vorbisenc', opus: 'opusenc', flac: 'flacenc' } as const;

export function buildTestEncodedAudio(part: PartBuilder, codec: keyof typeof ENCODERS, seconds: number): void {
  const raw = audioSource(part, { samplerate: ENCODED_RATE, channels: ENCODED_CHANNELS, wave: 'sine', frequency: 440, seconds });
  const convert = part.element('audioconvert', 'convert');
  const encode = part.element(ENCODERS[codec], 'encode');
  part.link(raw, convert, encode);
  part.feeder('default', encode);
}
