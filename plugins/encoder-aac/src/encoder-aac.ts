import { caps, inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { encoderAac } from './descriptor';

type Properties = PropertiesOf<(typeof encoderAac)['properties']>;

/** audioconvert ! audioresample [! capsfilter] ! voaacenc ! aacparse ! capsfilter (ADTS) */
@injectable()
export default class EncoderAac implements Component {
  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const { bitrate, samplerate, channels } = this.props;
    const convert = part.element('audioconvert', 'convert');
    const resample = part.element('audioresample', 'resample');
    const chain = [convert, resample];
    if (samplerate !== undefined || channels !== undefined) {
      const fields = { ...(samplerate !== undefined ? { rate: samplerate } : {}), ...(channels !== undefined ? { channels } : {}) };
      chain.push(part.element('capsfilter', 'format', { caps: caps('audio/x-raw', fields) }));
    }
    // voaacenc takes only AAC's sample rates and 1 or 2 channels: audioresample and audioconvert
    // in front of it meet those when the input does not. aacparse gives the muxer (mpegtsmux,
    // hlssink2) ADTS or raw AAC with codec data, whichever it asks for.
    const encoder = part.element('voaacenc', 'encoder', { bitrate });
    const parse = part.element('aacparse', 'parse');
    // ADTS: each frame carries its own header, so a listener of streamer-http (audio/aac) can
    // start on any frame with no codec data beforehand; mpegtsmux carries it as it is.
    const adts = part.element('capsfilter', 'adts', { caps: caps('audio/mpeg', { 'stream-format': 'adts' }) });
    chain.push(encoder, parse, adts);
    part.link(...chain);
    part.eater('default', convert);
    part.feeder('default', adts);
  }
}
