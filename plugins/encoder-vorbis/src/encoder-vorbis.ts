import { caps, inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderVorbis } from './descriptor';

type Properties = PropertiesOf<(typeof encoderVorbis)['properties']>;

/** audioconvert ! audioresample [! capsfilter] ! vorbisenc */
@injectable()
export default class EncoderVorbis implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const { quality, bitrate, samplerate, channels } = this.props;
    const convert = part.element('audioconvert', 'convert');
    const resample = part.element('audioresample', 'resample');
    const chain = [convert, resample];
    if (samplerate !== undefined || channels !== undefined) {
      const fields = { ...(samplerate !== undefined ? { rate: samplerate } : {}), ...(channels !== undefined ? { channels } : {}) };
      chain.push(part.element('capsfilter', 'format', { caps: caps('audio/x-raw', fields) }));
    }
    // vorbisenc uses managed bitrate whenever `bitrate` is set, and quality otherwise.
    const encoder = part.element('vorbisenc', 'encoder', bitrate !== undefined ? { bitrate } : { quality });
    chain.push(encoder);
    part.link(...chain);
    part.eater('default', convert);
    part.feeder('default', encoder);
  }
}
