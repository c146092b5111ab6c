import { inject, injectable, TOKENS, videoConversion, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { converterScale } from './descriptor';

type Properties = PropertiesOf<(typeof converterScale)['properties']>;

/** videorate ! videoscale ! videoconvert ! capsfilter, as the video encoders convert their input. */
@injectable()
export default class ConverterScale implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const chain = videoConversion(part, this.props);
    part.eater('default', chain[0]!);
    part.feeder('default', chain.at(-1)!);
  }
}
