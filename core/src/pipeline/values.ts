import type { CapsValue, ElementPropertyValue } from '../api/part';
import { FlowcastError } from '../errors/flowcast-error';

/**
 * How each kind of property value reaches GStreamer. Plain values and caps are set on the element
 * object after the pipeline is built, so no value is ever parsed as pipeline syntax. Enum values
 * are the one exception: the binding cannot set a GEnum, so their nick goes into the description,
 * and only when it is a plain word.
 */
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9_+.-]*$/;
const PROPERTY_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MEDIA_TYPE = /^[a-z]+\/[A-Za-z0-9.+-]+$/;
const CAPS_FIELD = /^[a-z][a-z0-9-]*$/;

export function assertPropertyName(name: string, element: string): void {
  if (!PROPERTY_NAME.test(name)) {
    throw new FlowcastError('FC_UNSAFE_LITERAL', `element "${element}": "${name}" is not a GObject property name`);
  }
}

/** `wave=sine` for the description, after checking the nick is a plain word. */
export function enumLiteral(property: string, nick: string, element: string): string {
  assertPropertyName(property, element);
  if (!SAFE_WORD.test(nick)) {
    throw new FlowcastError('FC_UNSAFE_LITERAL', `element "${element}": enum value ${JSON.stringify(nick)} for "${property}" is not a plain word`);
  }
  return `${property}=${nick}`;
}

/** Caps in GStreamer's serialised form, built from typed fields only. */
export function capsToString(value: CapsValue, element: string): string {
  if (!MEDIA_TYPE.test(value.mediaType)) throw new FlowcastError('FC_UNSAFE_LITERAL', `element "${element}": "${value.mediaType}" is not a media type`);
  const fields = Object.entries(value.fields).map(([name, field]) => {
    if (!CAPS_FIELD.test(name)) throw new FlowcastError('FC_UNSAFE_LITERAL', `element "${element}": caps field "${name}" is not a plain name`);
    if (typeof field === 'number') {
      if (!Number.isFinite(field)) throw new FlowcastError('FC_UNSAFE_LITERAL', `element "${element}": caps field "${name}" is not a finite number`);
      return Number.isInteger(field) ? `${name}=(int)${field}` : `${name}=(double)${field}`;
    }
    if (typeof field === 'string') {
      if (!SAFE_WORD.test(field)) throw new FlowcastError('FC_UNSAFE_LITERAL', `element "${element}": caps field "${name}" value ${JSON.stringify(field)} is not a plain word`);
      return `${name}=(string)${field}`;
    }
    if (!Number.isInteger(field.numerator) || !Number.isInteger(field.denominator) || field.denominator <= 0) {
      throw new FlowcastError('FC_UNSAFE_LITERAL', `element "${element}": caps field "${name}" is not a valid fraction`);
    }
    return `${name}=(fraction)${field.numerator}/${field.denominator}`;
  });
  return [value.mediaType, ...fields].join(', ');
}

/** The value to assign to the element object, or undefined for enums (set in the description). */
export function objectValue(value: ElementPropertyValue, element: string): string | number | boolean | undefined {
  if (typeof value !== 'object') return value;
  return value.kind === 'caps' ? capsToString(value, element) : undefined;
}
