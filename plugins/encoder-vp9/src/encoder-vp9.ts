import os from 'node:os';
import { framesIn, gstEnum, inject, injectable, TOKENS, videoConversion, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderVp9 } from './descriptor';

type Properties = PropertiesOf<(typeof encoderVp9)['properties']>;

/** Most threads "0" stands for: libvpx gains little beyond this at streaming sizes. */
const AUTO_THREADS_MAX = 8;

/** videorate ! videoscale ! videoconvert ! capsfilter ! vp9enc, set up for live streaming. */
@injectable()
export default class EncoderVp9 implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    const conversion = videoConversion(part, p);
    const threads = p.threads || Math.min(os.availableParallelism(), AUTO_THREADS_MAX);
    // As encoder-vp8: real-time deadline, no look-ahead, constant bitrate. row-mt lets the
    // threads share each frame's rows, which is where VP9's real-time speed comes from.
    const encoder = part.element('vp9enc', 'encoder', {
      'target-bitrate': p.bitrate,
      'end-usage': gstEnum('cbr'),
      deadline: 1,
      'lag-in-frames': 0,
      'keyframe-max-dist': framesIn(p['keyframe-interval'], p.framerate),
      'cpu-used': p.speed,
      threads,
      'row-mt': threads > 1,
    });
    part.link(conversion.at(-1)!, encoder);
    part.eater('default', conversion[0]!);
    part.feeder('default', encoder);
  }
}
