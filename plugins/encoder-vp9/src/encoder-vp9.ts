import { encoderThreads, inject, injectable, libvpxLive, TOKENS, videoEncoder, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderVp9 } from './descriptor';

type Properties = PropertiesOf<(typeof encoderVp9)['properties']>;

/** videorate ! videoscale ! videoconvert ! capsfilter ! vp9enc, set up for live streaming (libvpxLive). */
@injectable()
export default class EncoderVp9 implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    const threads = encoderThreads(p.threads);
    // row-mt lets the threads share each frame's rows, which is where VP9's real-time speed comes from.
    videoEncoder(part, p, (keyframeFrames) => [part.element('vp9enc', 'encoder', { ...libvpxLive({ ...p, threads }, keyframeFrames), 'row-mt': threads > 1 })]);
  }
}
