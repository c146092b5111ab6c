import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Component, ComponentClass } from '../api/component';
import type { Announcer, Clock, HttpService, Logger, Paths, SystemLimits } from '../api/services';
import { TOKENS } from '../api/tokens';
import { BouncerRegistry } from '../access/bouncer-registry';
import { LiveStreamRegistry } from '../live/live-registry';
import { FlowcastError } from '../errors/flowcast-error';
import type { ResolvedComponent } from '../flow/types';

/** What core gives every component of a flow. */
export interface CoreServices {
  logger: Logger;
  http: HttpService;
  paths: Paths;
  clock: Clock;
  announcer: Announcer;
  system: SystemLimits;
}

/** One child container per flow, holding the core services; nothing is registered globally. */
export function createFlowContainer(flowName: string, services: CoreServices): DependencyContainer {
  const flow = rootContainer.createChildContainer();
  flow.register(TOKENS.flowName, { useValue: flowName });
  flow.register(TOKENS.http, { useValue: services.http });
  flow.register(TOKENS.paths, { useValue: services.paths });
  flow.register(TOKENS.clock, { useValue: services.clock });
  flow.register(TOKENS.announcer, { useValue: services.announcer });
  flow.register(TOKENS.system, { useValue: services.system });
  flow.register(TOKENS.bouncers, { useValue: new BouncerRegistry() });
  flow.register(TOKENS.liveStreams, { useValue: new LiveStreamRegistry() });
  return flow;
}

/**
 * Resolve a component from its own child container, with its properties and scoped logger.
 * A failure names the component and the whole chain tsyringe reports.
 */
export function resolveComponent(flow: DependencyContainer, component: ResolvedComponent, implementation: ComponentClass, logger: Logger): Component {
  const scope = flow.createChildContainer();
  scope.register(TOKENS.componentName, { useValue: component.name });
  scope.register(TOKENS.properties, { useValue: Object.freeze({ ...component.properties }) });
  scope.register(TOKENS.logger, { useValue: logger });
  let instance: Component;
  try {
    instance = scope.resolve(implementation);
  } catch (error) {
    const chain = (error as Error).message.replace(/\s+/g, ' ').trim();
    throw new FlowcastError('FC_DI_FAILED', `component "${component.name}" (${component.type}): cannot create ${implementation.name || 'its class'}: ${chain}`, {
      location: { component: component.name },
      cause: error,
    });
  }
  if (typeof instance.build !== 'function') {
    throw new FlowcastError('FC_DI_FAILED', `component "${component.name}" (${component.type}): ${implementation.name} has no build(part) method`, { location: { component: component.name } });
  }
  return instance;
}
