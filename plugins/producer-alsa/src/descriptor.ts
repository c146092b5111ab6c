import { defineComponent } from '@flowcast/core';

export const producerAlsa = defineComponent({
  type: 'producer-alsa',
  kind: 'producer',
  description: 'Live audio captured from an ALSA device (a sound card, or any ALSA PCM such as a file or a loopback).',
  eaters: [],
  feeders: [{ name: 'default', produces: ['audio/x-raw'] }],
  elements: ['alsasrc', 'audioconvert', 'audioresample', 'level'],
  implementation: './producer-alsa',
  properties: {
    type: 'object',
    properties: {
      device: { type: 'string', minLength: 1, default: 'default', description: 'ALSA PCM to capture from, as `arecord -L` lists them (default, hw:0, plughw:1,0, …)' },
      samplerate: { type: 'integer', minimum: 8000, maximum: 192000, default: 44100, 'x-unit': 'Hz', description: 'Sample rate of the captured audio' },
      channels: { type: 'integer', minimum: 1, maximum: 8, default: 2, description: 'Number of captured channels' },
    },
  },
});
