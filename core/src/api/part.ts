/**
 * How a component describes its share of the pipeline. Components never write pipeline text:
 * they name element factories and give property values, and the pipeline builder decides how
 * each value reaches GStreamer (set on the element object, never spliced into a description).
 */
export interface ElementRef {
  /** The element's name inside its component, unique there. */
  readonly localName: string;
}

/** A GStreamer enum value given by its nick (`sine`, `square`). */
export interface GstEnumValue {
  readonly kind: 'gst-enum';
  readonly nick: string;
}

/** A caps value (for `capsfilter caps=`), built from a media type and typed fields. */
export interface CapsValue {
  readonly kind: 'caps';
  readonly mediaType: string;
  readonly fields: Readonly<Record<string, number | string | Fraction>>;
}

export interface Fraction {
  readonly kind: 'fraction';
  readonly numerator: number;
  readonly denominator: number;
}

export type ElementPropertyValue = string | number | boolean | GstEnumValue | CapsValue;

export interface PartBuilder {
  /** The component's name in its flow. */
  readonly component: string;
  /** Add an element made by `factory`; its properties are applied after the pipeline is built. */
  element(factory: string, localName: string, properties?: Readonly<Record<string, ElementPropertyValue | undefined>>): ElementRef;
  /**
   * Add an audio level meter for the admin dashboard: a `level` element reporting 10 times a
   * second (read its bus messages with `levelsFromMessage` in `onElementMessage`), and only while
   * someone watches the meters; the runtime turns its reports off otherwise. A `level` whose
   * reports a component needs in order to work (the switch watches its feeds with them) is added
   * with `element('level', …)` instead, and always reports.
   */
  levelMeter(localName: string): ElementRef;
  /** Link elements in order: `link(a, b, c)` is a ! b ! c. */
  link(...chain: ElementRef[]): void;
  /** Link `from` to the pad called `pad` of `to` (a request pad such as hlssink2's `audio`). */
  linkToPad(from: ElementRef, to: ElementRef, pad: string): void;
  /**
   * Feeds eaten by `eater` are linked into `into`; with a list, feed i into `into[i]` (an eater
   * that takes several feeds and treats each on its own, such as one rendition per feed).
   */
  eater(name: string, into: ElementRef | readonly ElementRef[]): void;
  /** The feeder `name` is the output of `from`. */
  feeder(name: string, from: ElementRef): void;
  /** Whether anything in the flow eats this feeder (so unused branches need not be built). */
  isEaten(feeder: string): boolean;
  /** How many feeds go into this eater. */
  feedCount(eater: string): number;
}

export function gstEnum(nick: string): GstEnumValue {
  return { kind: 'gst-enum', nick };
}

export function fraction(numerator: number, denominator = 1): Fraction {
  return { kind: 'fraction', numerator, denominator };
}

export function caps(mediaType: string, fields: Readonly<Record<string, number | string | Fraction>> = {}): CapsValue {
  return { kind: 'caps', mediaType, fields };
}
