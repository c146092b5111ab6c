import { defineComponent } from '@flowcast/core';

const POSITIONS = ['top-left', 'top', 'top-right', 'center', 'bottom-left', 'bottom', 'bottom-right'] as const;

/** What the registry knows of converter-overlay without loading its code. */
export const converterOverlay = defineComponent({
  type: 'converter-overlay',
  kind: 'converter',
  description: 'Draws on raw video what a camera operator puts on air: a line of text, the wall-clock time, a logo image.',
  eaters: [{ name: 'default', accepts: ['video/x-raw'] }],
  feeders: [{ name: 'default', produces: ['video/x-raw'] }],
  elements: [
    'videoconvert',
    { element: 'textoverlay', debian: 'gstreamer1.0-x' },
    { element: 'clockoverlay', debian: 'gstreamer1.0-x' },
    { element: 'gdkpixbufoverlay', debian: 'gstreamer1.0-plugins-good' },
  ],
  implementation: './converter-overlay',
  properties: {
    type: 'object',
    properties: {
      text: { type: 'string', minLength: 1, maxLength: 500, description: 'A line of text to draw, such as the programme\'s title' },
      'text-position': { type: 'string', enum: POSITIONS, default: 'bottom-left', description: 'Where the text goes' },
      clock: { type: 'boolean', default: false, description: 'Draw the local wall-clock time' },
      'clock-format': {
        type: 'string',
        minLength: 1,
        maxLength: 100,
        default: '%H:%M:%S',
        description: 'How the time reads, as in strftime: "%H:%M:%S", "%d %b %Y %H:%M"',
      },
      'clock-position': { type: 'string', enum: POSITIONS, default: 'top-right', description: 'Where the clock goes' },
      font: {
        type: 'string',
        pattern: '^[A-Za-z0-9 ,.-]+$',
        'x-pattern-description': 'a Pango font description such as "Sans Bold 24"',
        default: 'Sans 18',
        description: 'Font of the text and the clock: family, style and size',
      },
      logo: {
        type: 'string',
        pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$',
        'x-pattern-description': 'a relative path such as "images/logo.png", inside the directory of the flow file',
        description: 'An image (PNG with transparency, JPEG, …) to draw, relative to the flow file\'s directory',
      },
      'logo-position': { type: 'string', enum: ['top-left', 'top-right', 'bottom-left', 'bottom-right'], default: 'top-left', description: 'Which corner the logo goes in' },
      'logo-opacity': { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'Opacity of the logo, 0 (invisible) to 1' },
    },
  },
});
