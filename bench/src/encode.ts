/**
 * The one audio encode every server in the benchmark streams: test-source white noise, 44.1 kHz
 * stereo, Vorbis with a 128 kbit/s target bitrate, in Ogg (oggmux's page delay 500 ms, Flowcast's
 * default).
 *
 * Why white noise: vorbisenc's bitrate is an average target, and a pure tone compresses far below
 * it (a 440 Hz sine comes out at about 24 kbit/s, pink noise at about 111 kbit/s). White noise
 * comes out at the target, about 127 kbit/s with Ogg framing, so the servers really move a
 * 128 kbit/s stream, the rate of the reference figures.
 *
 * Flowcast builds it from a flow file; Icecast gets it from gst-launch-1.0 through shout2send; the
 * "framework overhead" reference runs it with gst-launch-1.0 into fakesink. The gst-launch lines
 * below use the same elements, properties and queues that Flowcast builds for this flow (see
 * `FLOWCAST_LOG_LEVEL=debug flowcast run`: one queue in front of every component's eater).
 */

export const BITRATE = 128000;
/** Nominal stream rate in bytes per second (Ogg framing adds about 1 %). */
export const STREAM_BYTES_PER_SECOND = BITRATE / 8;
export const MOUNT = '/live.ogg';

export function flowYaml(port: number): string {
  return `# Written by bench/src/flowcast.ts: the benchmark's encode, served by Flowcast.
name: bench
components:
  tone:
    type: producer-test
    properties: { wave: white-noise, frequency: 440, volume: 0.8, samplerate: 44100, channels: 2 }
  encoder:
    type: encoder-vorbis
    eats: tone
    properties: { bitrate: ${BITRATE} }
  muxer:
    type: muxer-ogg
    eats: encoder
    properties: { max-page-delay: 500 }
  web:
    type: streamer-http
    eats: muxer
    properties: { mount: ${MOUNT}, port: ${port}, bind-address: 127.0.0.1 }
`;
}

/** gst-launch-1.0 arguments for the same encode, ending in `sink` (an element and its properties). */
export function gstLaunchArgs(sink: string[]): string[] {
  return [
    '-q',
    // producer-test sets samplesperbuffer to a tenth of the sample rate (100 ms buffers).
    'audiotestsrc', 'is-live=true', 'wave=white-noise', 'freq=440', 'volume=0.8', 'samplesperbuffer=4410',
    '!', 'capsfilter', 'caps=audio/x-raw,rate=44100,channels=2',
    '!', 'queue',
    '!', 'audioconvert', '!', 'audioresample', '!', 'vorbisenc', `bitrate=${BITRATE}`,
    '!', 'queue',
    '!', 'oggmux', 'max-page-delay=500000000',
    '!', 'queue',
    '!', ...sink,
  ];
}

/** Flowcast's streamer reads from its own sink (flowcastbatchsink, sync=false, queues each buffer); fakesink sync=false is its stand-in. */
export const FAKESINK = ['fakesink', 'sync=false'];

export function shout2sendSink(port: number, password: string): string[] {
  return ['shout2send', 'ip=127.0.0.1', `port=${port}`, `password=${password}`, `mount=${MOUNT}`];
}

/** The element factories of a gst-launch-1.0 argument list, in order (the sink last). */
export function gstLaunchFactories(args: readonly string[]): string[] {
  const factories: string[] = [];
  let expectElement = true;
  for (const arg of args) {
    if (arg === '-q') continue;
    if (arg === '!') expectElement = true;
    else if (expectElement) {
      factories.push(arg);
      expectElement = false;
    }
  }
  return factories;
}

/** The element factories in the pipeline description Flowcast logs at debug level. */
export function flowcastFactories(description: string): string[] {
  return [...description.matchAll(/(?:^|\s)([a-z0-9_-]+) name=/g)].map((m) => m[1] as string);
}

/**
 * Does Flowcast build what the gst-launch reference runs? Compares the element factories (as
 * multisets, sinks aside: Flowcast's flowcastbatchsink against the reference's sink). Returns a warning or ''.
 */
export function compareWithFlowcast(description: string | undefined): string {
  if (!description) return "could not read Flowcast's pipeline (no debug \"pipeline\" log line): the gst-launch reference was not checked against it";
  const sorted = (xs: string[]): string => [...xs].sort().join(' ');
  const ours = gstLaunchFactories(gstLaunchArgs(FAKESINK)).slice(0, -1);
  const theirs = flowcastFactories(description).filter((f) => f !== 'flowcastbatchsink');
  return sorted(ours) === sorted(theirs) ? '' : `Flowcast's pipeline has the elements [${sorted(theirs)}], the gst-launch reference [${sorted(ours)}]: the encode comparison is not like for like`;
}
