import { inject, injectable, TOKENS, videoEncoder, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderTheora } from './descriptor';

type Properties = PropertiesOf<(typeof encoderTheora)['properties']>;

const BITS_PER_KBIT = 1000;

/**
 * videorate ! videoscale ! videoconvert ! capsfilter ! theoraenc. libtheora encodes on one thread,
 * so unlike the other video encoders there is no threads property.
 */
@injectable()
export default class EncoderTheora implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    // Keyframes exactly every `interval` frames (keyframe-auto would add some on scene changes,
    // and keyframe-force is the upper bound either way). Theora uses quality unless a bitrate is set.
    videoEncoder(part, p, (interval) => [
      part.element('theoraenc', 'encoder', {
        ...(p.bitrate !== undefined ? { bitrate: Math.round(p.bitrate / BITS_PER_KBIT) } : { quality: p.quality }),
        'keyframe-auto': false,
        'keyframe-freq': interval,
        'keyframe-force': interval,
        'speed-level': p.speed,
      }),
    ]);
  }
}
