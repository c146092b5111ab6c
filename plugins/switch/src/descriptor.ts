import { defineComponent } from '@flowcast/core';

export const switchComponent = defineComponent({
  type: 'switch',
  kind: 'converter',
  description: 'Plays its main audio feed, and its backup while the main is silent or has failed; goes back to the main once it has been steady for a while.',
  eaters: [
    { name: 'main', accepts: ['audio/x-raw'], failover: true, description: 'the feed to play when it delivers (a studio microphone, a live source)' },
    { name: 'backup', accepts: ['audio/x-raw'], description: 'the feed to play meanwhile (a looped jingle, a tone, silence)' },
  ],
  feeders: [{ name: 'default', produces: ['audio/x-raw'] }],
  elements: ['audioconvert', 'audioresample', 'capsfilter', 'level', 'volume', 'audiomixer'],
  implementation: './switch',
  properties: {
    type: 'object',
    properties: {
      'switch-after': {
        type: 'number',
        minimum: 0.1,
        maximum: 60,
        default: 0.5,
        'x-unit': 's',
        description: 'Play the backup once the main has delivered nothing for this long',
      },
      'return-after': {
        type: 'number',
        minimum: 0,
        maximum: 3600,
        default: 5,
        'x-unit': 's',
        description: 'Go back to the main once it has delivered without a break for this long',
      },
      samplerate: { type: 'integer', minimum: 8000, maximum: 192000, default: 44100, 'x-unit': 'Hz', description: 'Sample rate both feeds are converted to' },
      channels: { type: 'integer', minimum: 1, maximum: 8, default: 2, description: 'Channels both feeds are converted to' },
    },
  },
});
