import fs from 'node:fs';
import { caps, FlowcastError, fraction, inject, injectable, TOKENS, type Component, type PartBuilder, type PipelineMessage, type PropertiesOf } from '@flowcast/core';
import type { producerV4l } from './descriptor';

type Properties = PropertiesOf<(typeof producerV4l)['properties']>;

/** v4l2src ! capsfilter [! jpegdec] ! videoconvert */
@injectable()
export default class ProducerV4l implements Component {
  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.componentName) private readonly name: string,
  ) {}

  /** Fail before anything starts when there is no camera at the device path. */
  preflight(): void {
    const { device } = this.props;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(device);
    } catch {
      throw new FlowcastError('FC_PREFLIGHT', `component "${this.name}" (producer-v4l): video device ${device} does not exist`, {
        fix: `connect a camera, or set the property "device" to one that exists (ls /dev/video*)`,
      });
    }
    if (!stat.isCharacterDevice()) {
      throw new FlowcastError('FC_PREFLIGHT', `component "${this.name}" (producer-v4l): ${device} is not a video device`);
    }
  }

  build(part: PartBuilder): void {
    const { device, width, height, framerate, format } = this.props;
    const size = { width, height, framerate: fraction(framerate) };
    const src = part.element('v4l2src', 'src', { device });
    const capsfilter = part.element('capsfilter', 'format', { caps: format === 'MJPG' ? caps('image/jpeg', size) : caps('video/x-raw', { format, ...size }) });
    const convert = part.element('videoconvert', 'convert');
    if (format === 'MJPG') part.link(src, capsfilter, part.element('jpegdec', 'decode'), convert);
    else part.link(src, capsfilter, convert);
    part.feeder('default', convert);
  }

  explainError(message: PipelineMessage): string | undefined {
    if (!message.source.endsWith('--src')) return undefined;
    const text = (message.text ?? 'error').replace(/\.+$/, '');
    return `camera ${this.props.device} failed: ${text}. Check the device and the property "device" of component "${this.name}"`;
  }
}
