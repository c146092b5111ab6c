import { caps, gstEnum, inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderMp3 } from './descriptor';

type Properties = PropertiesOf<(typeof encoderMp3)['properties']>;

const BITS_PER_KBIT = 1000;

/** audioconvert ! audioresample [! capsfilter] ! lamemp3enc ! mpegaudioparse */
@injectable()
export default class EncoderMp3 implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const { bitrate, quality, samplerate, channels } = this.props;
    const convert = part.element('audioconvert', 'convert');
    const resample = part.element('audioresample', 'resample');
    const chain = [convert, resample];
    if (samplerate !== undefined || channels !== undefined) {
      const fields = { ...(samplerate !== undefined ? { rate: samplerate } : {}), ...(channels !== undefined ? { channels } : {}) };
      chain.push(part.element('capsfilter', 'format', { caps: caps('audio/x-raw', fields) }));
    }
    const encoder = part.element(
      'lamemp3enc',
      'encoder',
      quality !== undefined ? { target: gstEnum('quality'), quality } : { target: gstEnum('bitrate'), bitrate: Math.round(bitrate / BITS_PER_KBIT), cbr: true },
    );
    // One buffer per MP3 frame, each starting on a frame header: streamer-http starts a new
    // listener on a buffer boundary, so every listener starts on a frame.
    const parse = part.element('mpegaudioparse', 'parse');
    chain.push(encoder, parse);
    part.link(...chain);
    part.eater('default', convert);
    part.feeder('default', parse);
  }
}
