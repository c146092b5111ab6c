import { defineComponent } from '@flowcast/core';

export const encoderVorbis = defineComponent({
  type: 'encoder-vorbis',
  kind: 'encoder',
  description: 'Encodes raw audio to Vorbis, at a quality or at a managed bitrate, converting rate and channels as needed.',
  eaters: [{ name: 'default', accepts: ['audio/x-raw'] }],
  feeders: [{ name: 'default', produces: ['audio/x-vorbis'] }],
  elements: ['audioconvert', 'audioresample', 'vorbisenc'],
  implementation: './encoder-vorbis',
  exclusive: [['quality', 'bitrate']],
  properties: {
    type: 'object',
    properties: {
      quality: {
        type: 'number',
        minimum: -0.1,
        maximum: 1,
        default: 0.3,
        description: 'Variable-bitrate quality, -0.1 (smallest) to 1 (best); not used when bitrate is set',
      },
      bitrate: {
        type: 'integer',
        minimum: 8000,
        maximum: 250000,
        'x-unit': 'bits/s',
        description: 'Average bitrate with Vorbis bitrate management, instead of quality',
      },
      samplerate: { type: 'integer', minimum: 8000, maximum: 192000, 'x-unit': 'Hz', description: 'Resample to this rate before encoding (default: keep the input rate)' },
      channels: { type: 'integer', minimum: 1, maximum: 8, description: 'Mix to this many channels before encoding (default: keep the input channels)' },
    },
  },
});
