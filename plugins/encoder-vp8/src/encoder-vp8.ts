import { encoderThreads, gstEnum, inject, injectable, libvpxLive, TOKENS, videoEncoder, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderVp8 } from './descriptor';

type Properties = PropertiesOf<(typeof encoderVp8)['properties']>;

/** videorate ! videoscale ! videoconvert ! capsfilter ! vp8enc, set up for live streaming (libvpxLive). */
@injectable()
export default class EncoderVp8 implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    const threads = encoderThreads(p.threads);
    // Token partitions let the threads decode (and encode) each frame's parts side by side.
    videoEncoder(part, p, (keyframeFrames) => [part.element('vp8enc', 'encoder', { ...libvpxLive({ ...p, threads }, keyframeFrames), 'token-partitions': gstEnum(threads >= 8 ? '8' : threads >= 4 ? '4' : threads >= 2 ? '2' : '1') })]);
  }
}
