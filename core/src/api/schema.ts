/**
 * The subset of JSON Schema a component uses to declare its properties, and the TypeScript type
 * that follows from it: `PropertiesOf<typeof schema>` gives the validated, defaulted properties.
 */
export interface PropertySchema {
  readonly type: 'object';
  readonly properties: { readonly [name: string]: PropertyFieldSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: false;
  readonly [keyword: string]: unknown;
}

export interface PropertyFieldSchema {
  readonly type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  /** A unit shown by `flowcast inspect` (Hz, bits/s, s). */
  readonly 'x-unit'?: string;
  /**
   * What `pattern` accepts, in words, for error messages and `flowcast inspect`: "an IP address
   * or a network such as \"10.0.0.0/8\"" reads better than the regular expression.
   */
  readonly 'x-pattern-description'?: string;
  /**
   * The property may change while the component runs (`flowcast set`, the admin API, a reload
   * that changes nothing else): the runtime validates the new value and hands it to the
   * component's `update`. Without it, a change needs a restart of the flow.
   */
  readonly 'x-live'?: boolean;
  readonly [keyword: string]: unknown;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type ValueOf<S> = S extends { readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly type: 'string' }
    ? string
    : S extends { readonly type: 'number' | 'integer' }
      ? number
      : S extends { readonly type: 'boolean' }
        ? boolean
        : S extends { readonly type: 'array'; readonly items: infer I }
          ? ValueOf<I>[]
          : unknown;

type RequiredNames<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

type Present<S, K extends PropertyKey> = K extends RequiredNames<S>
  ? true
  : S extends { readonly properties: { readonly [P in K]: { readonly default: unknown } } }
    ? true
    : false;

/** Properties as a component receives them: required ones and ones with a default are always set. */
export type PropertiesOf<S> = S extends { readonly properties: infer P }
  ? Mutable<
      { [K in keyof P as Present<S, K> extends true ? K : never]: ValueOf<P[K]> } & {
        [K in keyof P as Present<S, K> extends true ? never : K]?: ValueOf<P[K]>;
      }
    >
  : never;
