import fs from 'node:fs';
import path from 'node:path';
import { FlowcastError, gstEnum, inject, injectable, TOKENS, type Component, type ElementRef, type PartBuilder, type Paths, type PropertiesOf } from '@flowcast/core';
import type { converterOverlay } from './descriptor';

type Properties = PropertiesOf<(typeof converterOverlay)['properties']>;
type Position = Properties['text-position'];

/** Distance of the logo from the picture's edges. */
const LOGO_MARGIN_PX = 16;

/** textoverlay's and clockoverlay's alignment for a position. */
function alignment(position: Position): { valignment: ReturnType<typeof gstEnum>; halignment: ReturnType<typeof gstEnum> } {
  const vertical = position.startsWith('top') ? 'top' : position.startsWith('bottom') ? 'bottom' : 'center';
  const horizontal = position.endsWith('left') ? 'left' : position.endsWith('right') ? 'right' : 'center';
  return { valignment: gstEnum(vertical), halignment: gstEnum(horizontal) };
}

/** videoconvert [! gdkpixbufoverlay] [! clockoverlay] [! textoverlay] ! videoconvert */
@injectable()
export default class ConverterOverlay implements Component {
  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.componentName) private readonly name: string,
    @inject(TOKENS.paths) private readonly paths: Paths,
  ) {}

  /** Something to draw, and a logo that is a readable file inside the flow's directory. */
  preflight(): void {
    const { text, clock, logo } = this.props;
    if (text === undefined && !clock && logo === undefined) {
      throw new FlowcastError('FC_PREFLIGHT', `component "${this.name}" (converter-overlay) has nothing to draw`, {
        fix: 'set at least one of the properties "text", "clock: true" or "logo", or remove the component',
      });
    }
    if (logo !== undefined) this.logoFile();
  }

  build(part: PartBuilder): void {
    const p = this.props;
    const chain: ElementRef[] = [part.element('videoconvert', 'convert-in')];
    if (p.logo !== undefined) {
      const right = p['logo-position'].endsWith('right');
      const bottom = p['logo-position'].startsWith('bottom');
      chain.push(
        part.element('gdkpixbufoverlay', 'logo', {
          location: this.logoFile(),
          'offset-x': right ? -LOGO_MARGIN_PX : LOGO_MARGIN_PX,
          'offset-y': bottom ? -LOGO_MARGIN_PX : LOGO_MARGIN_PX,
          alpha: p['logo-opacity'],
        }),
      );
    }
    // Values reach the elements as object properties, never as pipeline text (see the brief).
    if (p.clock) chain.push(part.element('clockoverlay', 'clock', { 'time-format': p['clock-format'], 'font-desc': p.font, 'shaded-background': true, ...alignment(p['clock-position']) }));
    if (p.text !== undefined) chain.push(part.element('textoverlay', 'text', { text: p.text, 'font-desc': p.font, 'shaded-background': true, ...alignment(p['text-position']) }));
    chain.push(part.element('videoconvert', 'convert-out'));
    part.link(...chain);
    part.eater('default', chain[0]!);
    part.feeder('default', chain.at(-1)!);
  }

  /** The logo's real path, refused unless it is a file inside the flow file's directory. */
  private logoFile(): string {
    const logo = this.props.logo!;
    const base = fs.realpathSync(this.paths.flowDirectory);
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(base, logo));
    } catch {
      throw new FlowcastError('FC_PREFLIGHT', `component "${this.name}" (converter-overlay): the logo ${logo} does not exist in ${base}`, {
        fix: 'put the image in the flow file\'s directory (or below it) and give its path relative to it',
      });
    }
    if (path.relative(base, real).startsWith('..') || !fs.statSync(real).isFile()) {
      throw new FlowcastError('FC_PREFLIGHT', `component "${this.name}" (converter-overlay): the logo ${logo} is not a file inside ${base}`, {
        fix: 'give the path of an image file inside the flow file\'s directory; links out of it are refused',
      });
    }
    return real;
  }
}
