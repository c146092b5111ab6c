import { inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { muxerOgg } from './descriptor';

type Properties = PropertiesOf<(typeof muxerOgg)['properties']>;

const NANOSECONDS_PER_MS = 1_000_000;

/** oggmux; every feed of the eater gets its own request pad. */
@injectable()
export default class MuxerOgg implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const mux = part.element('oggmux', 'mux', { 'max-page-delay': this.props['max-page-delay'] * NANOSECONDS_PER_MS });
    part.eater('default', mux);
    part.feeder('default', mux);
  }
}
