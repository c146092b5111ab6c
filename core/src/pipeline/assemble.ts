import { FlowcastError } from '../errors/flowcast-error';
import type { ResolvedFlow } from '../flow/types';
import { elementName, type ComponentPart, type PlannedElement } from './part-builder';
import { enumLiteral } from './values';

/** The whole flow as one GStreamer graph: elements, links, and the description to parse. */
export interface PipelinePlan {
  elements: PlannedElement[];
  links: [string, string][];
  description: string;
}

/**
 * Join the components' parts: each feed is linked to its eaters through a queue per eater, with
 * a tee when a feed has several eaters. Everything gets a name after its component.
 */
export function assemblePlan(flow: ResolvedFlow, parts: ReadonlyMap<string, ComponentPart>): PipelinePlan {
  const elements: PlannedElement[] = [];
  const links: [string, string][] = [];
  for (const part of parts.values()) {
    elements.push(...part.elements);
    links.push(...part.links);
  }
  const part = (component: string): ComponentPart => parts.get(component)!;

  for (const producer of flow.components) {
    for (const feeder of producer.descriptor.feeders) {
      const eaters = flow.components.flatMap((consumer) =>
        consumer.eats.flatMap((slot) =>
          slot.feeds.map((feed, index) => ({ consumer: consumer.name, eater: slot.eater, index, feed })).filter((e) => e.feed.component === producer.name && e.feed.feeder === feeder.name),
        ),
      );
      const source = part(producer.name).feeders.get(feeder.name);
      if (eaters.length === 0) {
        // A branch the component built although nothing eats it must still end in a sink.
        if (source) {
          const sink = elementName(producer.name, `feeder-${feeder.name}-unused`);
          elements.push({ component: producer.name, name: sink, factory: 'fakesink', properties: {} });
          links.push([source, sink]);
        }
        continue;
      }
      if (!source) throw buildError(producer.name, `its feeder "${feeder.name}" is eaten but its build() did not declare it with part.feeder()`);
      let from = source;
      if (eaters.length > 1) {
        from = elementName(producer.name, `feeder-${feeder.name}-tee`);
        elements.push({ component: producer.name, name: from, factory: 'tee', properties: {} });
        links.push([source, from]);
      }
      for (const eater of eaters) {
        const declared = part(eater.consumer).eaters.get(eater.eater);
        if (!declared) throw buildError(eater.consumer, `its eater "${eater.eater}" is fed but its build() did not declare it with part.eater()`);
        const target = Array.isArray(declared) ? declared[eater.index] : declared;
        if (!target) throw buildError(eater.consumer, `its eater "${eater.eater}" has ${declared.length} inputs in build() for more feeds`);
        const queue = elementName(eater.consumer, `eater-${eater.eater}-${eater.index}-queue`);
        elements.push({ component: eater.consumer, name: queue, factory: 'queue', properties: {} });
        links.push([from, queue], [queue, target]);
      }
    }
  }
  return { elements, links, description: describe(elements, links) };
}

/** Element declarations by name only, then links by name: no property value appears here but enum nicks. */
function describe(elements: PlannedElement[], links: [string, string][]): string {
  const declarations = elements.map((e) => {
    const enums = Object.entries(e.properties)
      .filter(([, value]) => typeof value === 'object' && value.kind === 'gst-enum')
      .map(([property, value]) => enumLiteral(property, (value as { nick: string }).nick, e.name));
    return [e.factory, `name=${e.name}`, ...enums].join(' ');
  });
  // `element.pad` names a pad of the element; a bare element name lets GStreamer pick the pad.
  return [...declarations, ...links.map(([a, b]) => `${a}. ! ${b.includes('.') ? b : `${b}.`}`)].join('  ');
}

function buildError(component: string, reason: string): FlowcastError {
  return new FlowcastError('FC_PIPELINE_BUILD', `component "${component}": ${reason}`, { location: { component } });
}
