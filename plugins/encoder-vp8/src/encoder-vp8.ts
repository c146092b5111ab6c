import os from 'node:os';
import { framesIn, gstEnum, inject, injectable, TOKENS, videoConversion, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderVp8 } from './descriptor';

type Properties = PropertiesOf<(typeof encoderVp8)['properties']>;

/** Most threads "0" stands for: libvpx gains little beyond this at streaming sizes. */
const AUTO_THREADS_MAX = 8;

/** videorate ! videoscale ! videoconvert ! capsfilter ! vp8enc, set up for live streaming. */
@injectable()
export default class EncoderVp8 implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    const conversion = videoConversion(part, p);
    const threads = p.threads || Math.min(os.availableParallelism(), AUTO_THREADS_MAX);
    // deadline 1 is libvpx's real-time mode; lag-in-frames 0 stops it holding frames back to look
    // ahead (25 by default: a second of latency); cbr keeps the rate a listener's link must carry.
    const encoder = part.element('vp8enc', 'encoder', {
      'target-bitrate': p.bitrate,
      'end-usage': gstEnum('cbr'),
      deadline: 1,
      'lag-in-frames': 0,
      'keyframe-max-dist': framesIn(p['keyframe-interval'], p.framerate),
      'cpu-used': p.speed,
      threads,
      'token-partitions': gstEnum(threads >= 8 ? '8' : threads >= 4 ? '4' : threads >= 2 ? '2' : '1'),
    });
    part.link(conversion.at(-1)!, encoder);
    part.eater('default', conversion[0]!);
    part.feeder('default', encoder);
  }
}
