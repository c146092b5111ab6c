import { inject, injectable, levelsFromMessage, TOKENS, type AudioLevels, type Component, type PartBuilder, type PipelineMessage, type PropertiesOf, type RunningPart } from '@flowcast/core';
import type { converterVolume } from './descriptor';

type Properties = PropertiesOf<(typeof converterVolume)['properties']>;

/** Amplitude factor of a gain in decibels. */
export function amplitude(gainDb: number): number {
  return 10 ** (gainDb / 20);
}

/**
 * audioconvert ! volume ! level: volume works on the raw formats audioconvert gives it, in any
 * channel layout; level measures what comes out, for the admin dashboard's meters.
 */
@injectable()
export default class ConverterVolume implements Component {
  private volume?: ReturnType<RunningPart['element']>;
  private lastLevels?: AudioLevels;

  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const convert = part.element('audioconvert', 'convert');
    const volume = part.element('volume', 'volume', { volume: amplitude(this.props.gain), mute: this.props.mute });
    const level = part.levelMeter('level');
    part.link(convert, volume, level);
    part.eater('default', convert);
    part.feeder('default', level);
  }

  onElementMessage(message: PipelineMessage): void {
    if (message.source.endsWith('--level')) this.lastLevels = levelsFromMessage(message) ?? this.lastLevels;
  }

  /** The level of what it feeds on (after the gain). */
  levels(): AudioLevels | undefined {
    return this.lastLevels;
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
