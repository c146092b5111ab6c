import { LEVEL_INTERVAL_NS } from '../api/levels';
import type { ElementPropertyValue, ElementRef, PartBuilder } from '../api/part';
import { FlowcastError } from '../errors/flowcast-error';

export const LOCAL_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const FACTORY_NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** A pad name or request pad template: `audio`, `video`, `sink_0`. */
export const PAD_NAME = /^[a-z][a-z0-9_]*$/;

/** Element names are `<component>--<local name>`, so every bus message names its component. */
export const ELEMENT_NAME_SEPARATOR = '--';

export function elementName(component: string, localName: string): string {
  return `${component}${ELEMENT_NAME_SEPARATOR}${localName}`;
}

/** The component an element belongs to, read back from its name. */
export function componentOfElement(name: string): string | undefined {
  const at = name.indexOf(ELEMENT_NAME_SEPARATOR);
  return at > 0 ? name.slice(0, at) : undefined;
}

export interface PlannedElement {
  component: string;
  name: string;
  factory: string;
  properties: Record<string, ElementPropertyValue>;
  /** A dashboard meter (levelMeter): reports only while someone watches. */
  meter?: boolean;
}

/** Collects one component's elements and links; the flow assembler joins the parts. */
export class ComponentPart implements PartBuilder {
  readonly elements: PlannedElement[] = [];
  /** [from element, to element or `element.pad`] */
  readonly links: [string, string][] = [];
  /** Eater → the element its feeds go into, or one element per feed. */
  readonly eaters = new Map<string, string | string[]>();
  readonly feeders = new Map<string, string>();

  constructor(
    readonly component: string,
    private readonly eaten: ReadonlySet<string>,
    private readonly feedCounts: ReadonlyMap<string, number>,
  ) {}

  element(factory: string, localName: string, properties: Readonly<Record<string, ElementPropertyValue | undefined>> = {}): ElementRef {
    if (!FACTORY_NAME.test(factory)) this.fail(`"${factory}" is not a GStreamer element factory name`);
    if (!LOCAL_NAME.test(localName)) this.fail(`element name "${localName}" must be kebab-case`);
    const name = elementName(this.component, localName);
    if (this.elements.some((e) => e.name === name)) this.fail(`element name "${localName}" is used twice`);
    const defined = Object.fromEntries(Object.entries(properties).filter((entry): entry is [string, ElementPropertyValue] => entry[1] !== undefined));
    this.elements.push({ component: this.component, name, factory, properties: defined });
    return { localName };
  }

  levelMeter(localName: string): ElementRef {
    const ref = this.element('level', localName, { interval: LEVEL_INTERVAL_NS, 'post-messages': true });
    this.elements[this.elements.length - 1]!.meter = true;
    return ref;
  }

  link(...chain: ElementRef[]): void {
    for (let i = 1; i < chain.length; i++) this.links.push([this.nameOf(chain[i - 1]!), this.nameOf(chain[i]!)]);
  }

  linkToPad(from: ElementRef, to: ElementRef, pad: string): void {
    if (!PAD_NAME.test(pad)) this.fail(`"${pad}" is not a pad name`);
    this.links.push([this.nameOf(from), `${this.nameOf(to)}.${pad}`]);
  }

  eater(name: string, into: ElementRef | readonly ElementRef[]): void {
    this.eaters.set(name, Array.isArray(into) ? into.map((ref: ElementRef) => this.nameOf(ref)) : this.nameOf(into as ElementRef));
  }

  feeder(name: string, from: ElementRef): void {
    this.feeders.set(name, this.nameOf(from));
  }

  isEaten(feeder: string): boolean {
    return this.eaten.has(feeder);
  }

  feedCount(eater: string): number {
    return this.feedCounts.get(eater) ?? 0;
  }

  private nameOf(ref: ElementRef): string {
    const name = elementName(this.component, ref.localName);
    if (!this.elements.some((e) => e.name === name)) this.fail(`element "${ref.localName}" was linked before it was added`);
    return name;
  }

  private fail(reason: string): never {
    throw new FlowcastError('FC_PIPELINE_BUILD', `component "${this.component}": ${reason}`, { location: { component: this.component } });
  }
}
