import { defineComponent } from '@flowcast/core';

export const producerFile = defineComponent({
  type: 'producer-file',
  kind: 'producer',
  description: 'A media file, or a directory of media files played in name order, decoded by GStreamer and played live, in a loop (a station jingle, a fallback playlist).',
  eaters: [],
  feeders: [{ name: 'audio', produces: ['audio/x-raw'], description: 'the decoded audio, in real time' }],
  elements: ['appsrc', 'audioconvert', 'filesrc', 'decodebin', 'audioresample', 'capsfilter', 'appsink', 'level'],
  implementation: './producer-file',
  properties: {
    type: 'object',
    properties: {
      location: {
        type: 'string',
        minLength: 1,
        description: 'A media file, or a directory whose files are played in name order; relative paths are relative to the flow file',
      },
      samplerate: { type: 'integer', minimum: 8000, maximum: 192000, default: 44100, 'x-unit': 'Hz', description: 'Sample rate the files are converted to' },
      channels: { type: 'integer', minimum: 1, maximum: 8, default: 2, description: 'Channels the files are converted to' },
    },
    required: ['location'],
  },
});
