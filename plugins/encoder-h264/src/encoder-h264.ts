import { caps, gstEnum, inject, injectable, TOKENS, videoEncoder, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderH264 } from './descriptor';

type Properties = PropertiesOf<(typeof encoderH264)['properties']>;

const BITS_PER_KBIT = 1000;

/** videorate ! videoscale ! videoconvert ! capsfilter ! x264enc ! capsfilter(profile) ! h264parse */
@injectable()
export default class EncoderH264 implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    videoEncoder(part, p, (interval) => [
      // zerolatency: no B-frames, no look-ahead, sliced threads, so each frame leaves as it is made.
      // key-int-min equal to the maximum keeps keyframes at a fixed spacing, which HLS segments need.
      part.element('x264enc', 'encoder', {
        tune: gstEnum('zerolatency'),
        'speed-preset': gstEnum(p.speed),
        bitrate: Math.max(1, Math.round(p.bitrate / BITS_PER_KBIT)),
        'key-int-max': interval,
        threads: p.threads,
      }),
      part.element('capsfilter', 'profile', { caps: caps('video/x-h264', { profile: p.profile }) }),
      // config-interval -1: SPS and PPS before every keyframe, so a player joining anywhere (a new
      // HLS segment, a listener of a transport stream) can decode from the next keyframe.
      part.element('h264parse', 'parse', { 'config-interval': -1 }),
    ]);
  }
}
