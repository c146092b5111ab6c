import { inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf, type RunningPart } from '@flowcast/core';
import type { converterVolume } from './descriptor';

type Properties = PropertiesOf<(typeof converterVolume)['properties']>;

/** Amplitude factor of a gain in decibels. */
export function amplitude(gainDb: number): number {
  return 10 ** (gainDb / 20);
}

/** audioconvert ! volume: volume works on the raw formats audioconvert gives it, in any channel layout. */
@injectable()
export default class ConverterVolume implements Component {
  private volume?: ReturnType<RunningPart['element']>;

  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const convert = part.element('audioconvert', 'convert');
    const volume = part.element('volume', 'volume', { volume: amplitude(this.props.gain), mute: this.props.mute });
    part.link(convert, volume);
    part.eater('default', convert);
    part.feeder('default', volume);
  }

  start(part: RunningPart): void {
    this.volume = part.element('volume');
  }

  /** gain and mute change live: the volume element applies them from its next buffer. */
  update(changes: Readonly<Record<string, unknown>>): void {
    if (!this.volume) return;
    if (typeof changes.gain === 'number') this.volume.volume = amplitude(changes.gain);
    if (typeof changes.mute === 'boolean') this.volume.mute = changes.mute;
  }
}
