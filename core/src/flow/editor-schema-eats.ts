import type { EaterSpec } from '../api/component';
import type { RegistryComponent } from '../registry/types';
import { defaultEater } from './checks/feeds';
import { describeEater } from './editor-schema-describe';
import type { JsonSchema } from './editor-schema';
import { NAME_PATTERN } from './parse';

const FEED: JsonSchema = { $ref: '#/definitions/feed' };

/**
 * `component` or `component:feeder`. A feed names a component of the flow, and those names follow
 * NAME_PATTERN; the feeder is whatever follows the colon (parseFeedRef), but not nothing.
 */
const FEED_PATTERN = `^${NAME_PATTERN.source.replace(/^\^/, '').replace(/\$$/, '')}(:.+)?$`;

/** The shapes `eats` takes whatever the type (parse.ts parseEats): shared by every component. */
export function eatsDefinitions(): Record<string, JsonSchema> {
  return {
    feed: {
      type: 'string',
      pattern: FEED_PATTERN,
      description: 'A feed: `component` (its first feeder) or `component:feeder`, such as `mic:video`',
    },
    eats: {
      description: 'The feeds this component consumes: a feed (`mic`, `mic:audio`), a list of feeds, or a map of eater names to a feed or a list of feeds',
      anyOf: [
        { type: 'null' },
        FEED,
        { type: 'array', items: FEED },
        { type: 'object', additionalProperties: { anyOf: [FEED, { type: 'array', items: FEED }] } },
      ],
    },
  };
}

export interface EatsRule {
  schema: JsonSchema;
  /** Some eater is required, so `eats` must be written. */
  mustBeSet: boolean;
}

/**
 * What one type's `eats` may say, as checks/feeds.ts decides it without looking at other
 * components: eater names, one feed into a single eater, required eaters fed, nothing for a type
 * without eaters. Whether the feeds exist and their media match is beyond a JSON Schema.
 */
export function eatsRule(component: RegistryComponent): EatsRule {
  const { eaters } = component;
  if (eaters.length === 0) {
    // `eats: {}` names no eater, so validate lets it through: only a non-empty `eats` is refused.
    return { schema: { type: ['null', 'object'], maxProperties: 0, description: `A ${component.type} has no eaters: it eats nothing` }, mustBeSet: false };
  }
  const required = eaters.filter(isRequired);
  const fallback = eaters.find((e) => e.name === defaultEater(component));
  const forms: JsonSchema[] = [];
  // Without an eater name, feeds go to the default eater: only possible when there is one and no other eater needs feeding.
  if (fallback && required.every((e) => e === fallback)) forms.push(FEED, feedList(fallback));
  forms.push({
    type: 'object',
    propertyNames: { enum: eaters.map((e) => e.name) },
    properties: Object.fromEntries(eaters.map((e) => [e.name, { description: describeEater(e), anyOf: [FEED, feedList(e)] }])),
    ...(required.length ? { required: required.map((e) => e.name) } : {}),
  });
  if (required.length === 0) forms.unshift({ type: 'null' });
  return { schema: { anyOf: forms }, mustBeSet: required.length > 0 };
}

/** A list of feeds into one eater: not empty when the eater is required, one at most unless it takes several. */
function feedList(eater: EaterSpec): JsonSchema {
  return { type: 'array', items: FEED, ...(isRequired(eater) ? { minItems: 1 } : {}), ...(eater.multiple ? {} : { maxItems: 1 }) };
}

function isRequired(eater: EaterSpec): boolean {
  return eater.required ?? true;
}
