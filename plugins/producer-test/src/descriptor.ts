import { defineComponent } from '@flowcast/core';

export const producerTest = defineComponent({
  type: 'producer-test',
  kind: 'producer',
  description: 'A live test tone and a live video test pattern: the producer that runs on any machine.',
  eaters: [],
  feeders: [
    { name: 'audio', produces: ['audio/x-raw'], description: 'the test tone' },
    { name: 'video', produces: ['video/x-raw'], description: 'the test pattern' },
  ],
  elements: ['audiotestsrc', 'videotestsrc', 'videobalance', 'level'],
  implementation: './producer-test',
  properties: {
    type: 'object',
    properties: {
      wave: {
        type: 'string',
        enum: ['sine', 'square', 'saw', 'triangle', 'silence', 'white-noise', 'pink-noise', 'ticks'],
        default: 'sine',
        description: 'Waveform of the test tone',
      },
      frequency: { type: 'number', minimum: 1, maximum: 20000, default: 440, 'x-unit': 'Hz', 'x-live': true, description: 'Frequency of the test tone' },
      volume: { type: 'number', minimum: 0, maximum: 1, default: 0.8, 'x-live': true, description: 'Volume of the test tone' },
      samplerate: { type: 'integer', minimum: 8000, maximum: 192000, default: 44100, 'x-unit': 'Hz', description: 'Sample rate of the audio' },
      channels: { type: 'integer', minimum: 1, maximum: 8, default: 2, description: 'Number of audio channels' },
      pattern: {
        type: 'string',
        enum: ['smpte', 'snow', 'black', 'white', 'red', 'green', 'blue', 'checkers-8', 'circular', 'ball', 'smpte100', 'bar'],
        default: 'smpte',
        description: 'Video test pattern',
      },
      width: { type: 'integer', minimum: 16, maximum: 7680, default: 320, 'x-unit': 'px', description: 'Video width' },
      height: { type: 'integer', minimum: 16, maximum: 4320, default: 240, 'x-unit': 'px', description: 'Video height' },
      framerate: { type: 'integer', minimum: 1, maximum: 120, default: 25, 'x-unit': 'frames/s', description: 'Video frame rate' },
      marker: {
        type: 'boolean',
        default: false,
        description:
          'Latency marker: instead of a steady tone, silence with a 100 ms tone at each wall-clock second (its pitch tells which second), and the picture flashing white as long, for `flowcast latency URL` (and a player page) to measure how far behind live a listener hears and sees',
      },
    },
  },
});
