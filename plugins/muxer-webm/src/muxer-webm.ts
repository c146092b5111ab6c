import { inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { muxerWebm } from './descriptor';

type Properties = PropertiesOf<(typeof muxerWebm)['properties']>;

const NANOSECONDS_PER_MS = 1_000_000;

/**
 * webmmux streamable=true: no seeking back to write sizes and cues, so the stream can be served
 * while it is made. With video, webmmux starts a cluster on each keyframe and flags every other
 * buffer as a delta unit, which is how streamer-http finds where a new viewer can start.
 */
@injectable()
export default class MuxerWebm implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const mux = part.element('webmmux', 'mux', { streamable: true, 'min-cluster-duration': this.props['cluster-duration'] * NANOSECONDS_PER_MS });
    part.eater('default', mux);
    part.feeder('default', mux);
  }
}
