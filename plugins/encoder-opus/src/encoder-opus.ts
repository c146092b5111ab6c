import { gstEnum, inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf, type RunningPart } from '@flowcast/core';
import type { encoderOpus } from './descriptor';

type Properties = PropertiesOf<(typeof encoderOpus)['properties']>;

/** audioconvert ! audioresample ! opusenc (Opus takes 48, 24, 16, 12 or 8 kHz: audioresample picks one). */
@injectable()
export default class EncoderOpus implements Component {
  private encoder?: ReturnType<RunningPart['element']>;

  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    const convert = part.element('audioconvert', 'convert');
    const resample = part.element('audioresample', 'resample');
    // bitrate-type, frame-size and audio-type are GStreamer enums, given by their nicks
    // (frame-size's nicks are the durations: "2.5", "5" … "60").
    const encoder = part.element('opusenc', 'encoder', {
      bitrate: p.bitrate,
      complexity: p.complexity,
      'bitrate-type': gstEnum(p['bitrate-type']),
      'frame-size': gstEnum(String(p['frame-size'])),
      'audio-type': gstEnum(p['audio-type']),
    });
    part.link(convert, resample, encoder);
    part.eater('default', convert);
    part.feeder('default', encoder);
  }

  start(part: RunningPart): void {
    this.encoder = part.element('encoder');
  }

  /** bitrate changes live: opusenc takes a new target bitrate while playing, from its next frame on. */
  update(changes: Readonly<Record<string, unknown>>): void {
    if (typeof changes.bitrate === 'number' && this.encoder) this.encoder.bitrate = changes.bitrate;
  }
}
