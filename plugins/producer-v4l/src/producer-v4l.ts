import fs from 'node:fs';
import { cameraModes, cameraPath, caps, FlowcastError, fraction, inject, injectable, listCaptureDevices, TOKENS, type Component, type PartBuilder, type PipelineMessage, type PropertiesOf } from '@flowcast/core';
import { describeMode, offers } from './camera-offers';
import type { producerV4l } from './descriptor';

type Properties = PropertiesOf<(typeof producerV4l)['properties']>;

/** v4l2src ! capsfilter [! jpegdec] ! videoconvert */
@injectable()
export default class ProducerV4l implements Component {
  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.componentName) private readonly name: string,
  ) {}

  /**
   * Fail before anything starts when there is no camera at the device path, or when the camera
   * does not offer the format, size and frame rate asked for (then the message lists what it does).
   */
  async preflight(): Promise<void> {
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
    await this.checkOffered();
  }

  /** Ask GStreamer's device monitor what the camera offers; when it does not know the camera, v4l2src will tell. */
  private async checkOffered(): Promise<void> {
    const { device, width, height, framerate, format } = this.props;
    const camera = (await listCaptureDevices())?.find((d) => cameraPath(d) === device);
    const modes = camera ? cameraModes(camera) : [];
    if (modes.length === 0 || offers(modes, { format, width, height, framerate })) return;
    throw new FlowcastError('FC_PREFLIGHT', `component "${this.name}" (producer-v4l): camera ${device} does not offer ${format} ${width}x${height} at ${framerate} frames/s; it offers ${modes.map(describeMode).join(', ')}`, {
      fix: 'set the properties "format", "width", "height" and "framerate" to one of these (`flowcast devices` lists them)',
    });
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
