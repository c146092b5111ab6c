import { caps, inject, injectable, levelsFromMessage, TOKENS, type AudioLevels, type Component, type PartBuilder, type PipelineMessage, type PropertiesOf } from '@flowcast/core';
import type { producerAlsa } from './descriptor';

type Properties = PropertiesOf<(typeof producerAlsa)['properties']>;

/** alsasrc ! audioconvert ! audioresample ! capsfilter: what the card gives, at the rate asked. */
@injectable()
export default class ProducerAlsa implements Component {
  private lastLevels?: AudioLevels;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.componentName) private readonly name: string,
  ) {}

  build(part: PartBuilder): void {
    const src = part.element('alsasrc', 'src', { device: this.props.device });
    const convert = part.element('audioconvert', 'convert');
    const resample = part.element('audioresample', 'resample');
    const format = part.element('capsfilter', 'format', { caps: caps('audio/x-raw', { rate: this.props.samplerate, channels: this.props.channels }) });
    // The input's levels, for the admin dashboard's meters (level passes the audio through untouched).
    const level = part.levelMeter('level');
    part.link(src, convert, resample, format, level);
    part.feeder('default', level);
  }

  onElementMessage(message: PipelineMessage): void {
    if (message.source.endsWith('--level')) this.lastLevels = levelsFromMessage(message) ?? this.lastLevels;
  }

  levels(): AudioLevels | undefined {
    return this.lastLevels;
  }

  explainError(message: PipelineMessage): string | undefined {
    if (!message.source.endsWith('--src')) return undefined;
    const detail = message.debug?.split('\n').pop()?.trim();
    const text = (message.text ?? 'error').replace(/\.+$/, '');
    return `ALSA device "${this.props.device}" could not be opened for capture (${text}${detail ? `: ${detail}` : ''}). List the devices with \`arecord -L\` and set the property "device" of component "${this.name}"`;
  }
}
