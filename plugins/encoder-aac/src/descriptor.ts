import { defineComponent } from '@flowcast/core';

/** What the registry knows of encoder-aac without loading its code. */
export const encoderAac = defineComponent({
  type: 'encoder-aac',
  kind: 'encoder',
  description: 'Encodes raw audio to AAC-LC (VisualOn\'s encoder, voaacenc), the audio of HLS and of MPEG-TS for phones; resamples and mixes down as needed.',
  eaters: [{ name: 'default', accepts: ['audio/x-raw'] }],
  feeders: [{ name: 'default', produces: ['audio/aac'] }],
  elements: ['audioconvert', 'audioresample', { element: 'voaacenc', debian: 'gstreamer1.0-plugins-bad' }, 'aacparse'],
  implementation: './encoder-aac',
  properties: {
    type: 'object',
    properties: {
      bitrate: { type: 'integer', minimum: 8000, maximum: 320000, default: 128000, 'x-unit': 'bits/s', description: 'Target bitrate' },
      samplerate: {
        type: 'integer',
        enum: [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000],
        'x-unit': 'Hz',
        description: 'Resample to this rate before encoding (default: keep the input rate when AAC allows it)',
      },
      channels: { type: 'integer', minimum: 1, maximum: 2, description: 'Mix to this many channels (default: keep mono or stereo, mix more down to stereo)' },
    },
  },
});
