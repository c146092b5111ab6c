import { FlowcastError } from '../errors/flowcast-error';
import type { GstPipeline } from './gst';
import type { ComponentPart, PlannedElement } from './part-builder';
import { assertPropertyName, objectValue } from './values';

/** Elements every part may use without declaring them. */
const CORE_FACTORIES = new Set(['queue', 'tee', 'capsfilter', 'identity', 'fakesink']);

/** A component may only use the elements it declared, so the registry's availability is true. */
export function checkFactories(part: ComponentPart, declared: readonly string[]): void {
  for (const element of part.elements) {
    if (!CORE_FACTORIES.has(element.factory) && !declared.includes(element.factory)) {
      throw new FlowcastError('FC_PIPELINE_BUILD', `component "${part.component}" uses the element "${element.factory}", which its descriptor does not list in "elements"`, {
        location: { component: part.component },
      });
    }
  }
}

/** Set every non-enum property on the element object: values never pass through pipeline syntax. */
export function applyProperties(pipeline: GstPipeline, elements: readonly PlannedElement[]): void {
  for (const element of elements) {
    const handle = pipeline.findChild(element.name);
    if (!handle) throw new FlowcastError('FC_PIPELINE_BUILD', `element "${element.name}" is missing from the built pipeline`, { location: { component: element.component } });
    for (const [property, value] of Object.entries(element.properties)) {
      assertPropertyName(property, element.name);
      const assigned = objectValue(value, element.name);
      if (assigned === undefined) continue;
      if (!(property in handle)) {
        throw new FlowcastError('FC_ELEMENT_PROPERTY', `component "${element.component}": element ${element.factory} has no property "${property}"`, {
          location: { component: element.component },
        });
      }
      handle[property] = assigned;
    }
  }
}

/**
 * Whether the flow's level meters (PartBuilder.levelMeter) post their measurements. Each posts ten
 * messages a second, every one handled on the JavaScript thread: a flow nobody watches the meters
 * of turns them off. Other `level` elements (a component's own, such as the switch's) keep theirs.
 */
export function setLevelMetering(pipeline: GstPipeline, elements: readonly PlannedElement[], on: boolean): void {
  for (const element of elements) {
    if (!element.meter) continue;
    const handle = pipeline.findChild(element.name);
    if (handle) handle['post-messages'] = on;
  }
}
