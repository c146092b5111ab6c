import { defineComponent } from '@flowcast/core';

/** The bitrates an MP3 frame header can name (MPEG-1 layer III and MPEG-2 LSF together), in bits/s. */
const MP3_BITRATES = [8000, 16000, 24000, 32000, 40000, 48000, 56000, 64000, 80000, 96000, 112000, 128000, 160000, 192000, 224000, 256000, 320000];

/** What the registry knows of encoder-mp3 without loading its code. */
export const encoderMp3 = defineComponent({
  type: 'encoder-mp3',
  kind: 'encoder',
  description: 'Encodes raw audio to MP3 with LAME, at a constant bitrate or a VBR quality: the format every radio player plays. Serve it with streamer-http as audio/mpeg.',
  eaters: [{ name: 'default', accepts: ['audio/x-raw'] }],
  feeders: [{ name: 'default', produces: ['audio/mpeg'] }],
  elements: ['audioconvert', 'audioresample', { element: 'lamemp3enc', debian: 'gstreamer1.0-plugins-good' }, 'mpegaudioparse'],
  implementation: './encoder-mp3',
  exclusive: [['bitrate', 'quality']],
  properties: {
    type: 'object',
    properties: {
      bitrate: {
        type: 'integer',
        enum: MP3_BITRATES,
        default: 128000,
        'x-unit': 'bits/s',
        description: 'Constant bitrate (the rates an MP3 frame can carry); not used when quality is set',
      },
      quality: { type: 'number', minimum: 0, maximum: 9.999, description: 'Variable bitrate at this quality instead, 0 (best) to 9.999 (smallest)' },
      samplerate: {
        type: 'integer',
        enum: [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000],
        'x-unit': 'Hz',
        description: 'Resample to this rate before encoding (default: keep the input rate)',
      },
      channels: { type: 'integer', minimum: 1, maximum: 2, description: 'Mix to this many channels before encoding (default: keep the input channels)' },
    },
  },
});
