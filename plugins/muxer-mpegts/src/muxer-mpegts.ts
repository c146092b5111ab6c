import { inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { muxerMpegts } from './descriptor';

type Properties = PropertiesOf<(typeof muxerMpegts)['properties']>;

/** mpegtsmux; every feed of the eater gets its own request pad (and PID). */
@injectable()
export default class MuxerMpegts implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    // alignment 0 is mpegtsmux's own "as it comes", -1 would not align; 7 is the UDP size.
    const mux = part.element('mpegtsmux', 'mux', { alignment: this.props['packets-per-buffer'] });
    part.eater('default', mux);
    part.feeder('default', mux);
  }
}
