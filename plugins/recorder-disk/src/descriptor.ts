import { defineComponent } from '@flowcast/core';
import { TEMPLATE_IN_WORDS, TEMPLATE_PATTERN } from './strftime';

export const recorderDisk = defineComponent({
  type: 'recorder-disk',
  kind: 'consumer',
  description:
    'Records a muxed stream (Ogg, WebM, Matroska) into a directory: files rotated on the clock (every hour on the hour) or by size, each a complete file starting with the stream headers; an index of sync points with their wall-clock times; crash-safe; old recordings removed by age, total size or free space.',
  eaters: [{ name: 'default', accepts: ['application/ogg', 'video/webm', 'audio/webm', 'video/x-matroska', 'audio/x-matroska'] }],
  feeders: [],
  // flowcastbatchsink comes with core (core/native/batch-sink.c), registered when BatchSinkChannel loads it.
  elements: [{ element: 'flowcastbatchsink', bundled: true }],
  implementation: './recorder-disk',
  claims: [{ resource: 'recordings directory', properties: ['directory'] }],
  exclusive: [['rotate-time', 'rotate-schedule']],
  properties: {
    type: 'object',
    required: ['directory'],
    properties: {
      directory: {
        type: 'string',
        minLength: 1,
        pattern: '^[^\\u0000]+$',
        description: 'Where the recordings go (created if missing); a relative path is from the project directory',
      },
      filename: {
        type: 'string',
        pattern: TEMPLATE_PATTERN,
        'x-pattern-description': TEMPLATE_IN_WORDS,
        maxLength: 200,
        default: '%Y-%m-%d_%H-%M-%S',
        description: 'Name of each recording from its start time, strftime-style; the extension (.ogg, .webm, .mkv, .mka) is added',
      },
      'filename-timezone': { enum: ['utc', 'local'], default: 'utc', description: 'Whether file names (and the rotation on the clock) use UTC or local time' },
      'rotate-time': {
        type: 'integer',
        minimum: 0,
        maximum: 604800,
        default: 3600,
        'x-unit': 's',
        description: 'Start a new file every this many seconds of wall-clock time, aligned to the clock (3600: on the hour), at the first sync point at or after it (0: never)',
      },
      'rotate-schedule': {
        type: 'string',
        minLength: 9,
        maxLength: 200,
        pattern: '^[0-9A-Za-z*/,?#LW -]+$',
        'x-pattern-description': 'a cron expression such as "0 * * * *" (every hour) or "0 6,18 * * *"',
        description: 'Start a new file when this cron expression falls (minute hour day month weekday, in the zone of filename-timezone), at the first sync point at or after it; instead of rotate-time',
      },
      'rotate-ical': {
        type: 'string',
        minLength: 1,
        pattern: '^[^\\u0000]+$',
        description:
          'Start a new file at the start and at the end of each event of this iCalendar (.ics) file, recurring events included (each event gets its own file), at the first sync point at or after; instead of rotate-time; a relative path is from the project directory',
      },
      'time-overlap': {
        type: 'number',
        minimum: 0,
        maximum: 600,
        default: 0,
        'x-unit': 's',
        description: 'At each rotation, go on writing the file that ends this long into the next one (to the first sync point after): consecutive files overlap by this much (0: no gap and no overlap)',
      },
      'rotate-size': { type: 'integer', minimum: 0, default: 0, 'x-unit': 'bytes', description: 'Start a new file at the first sync point once a file is this big (0: no limit)' },
      'max-age': { type: 'number', minimum: 0, default: 0, 'x-unit': 's', description: 'Delete recordings that ended longer ago than this (0: keep)' },
      'max-total-size': { type: 'integer', minimum: 0, default: 0, 'x-unit': 'bytes', description: 'Delete the oldest recordings while all of them together are bigger than this (0: no limit)' },
      'min-free-space': { type: 'integer', minimum: 0, default: 0, 'x-unit': 'bytes', description: 'Delete the oldest recordings while the disk has less free space than this (0: no limit)' },
      'start-recording': { type: 'boolean', default: true, description: 'Record from the start; false waits for startRecording() (the admin API)' },
      'sync-interval': {
        type: 'number',
        minimum: 0.1,
        maximum: 10,
        default: 1,
        'x-unit': 's',
        description: 'How often what was written is forced to the disk (fdatasync): the most a power cut can lose',
      },
    },
  },
});
