import type { RegistryComponent } from '../../registry/types';
import { componentPath, type CheckContext, type TypedComponents } from './context';

/** Each component's type must be registered and available on this machine. */
export function checkTypes({ source, registry, reporter }: CheckContext): TypedComponents {
  const typed = new Map<string, RegistryComponent>();
  for (const component of source.components) {
    const descriptor = registry.find(component.type);
    const at = componentPath(component.name, 'type');
    if (!descriptor) {
      const provider = registry.providerOf(component.type);
      const known = registry.list().map((c) => c.type).join(', ');
      reporter.report(
        'FC_UNKNOWN_TYPE',
        provider
          ? `unknown component type "${component.type}": it is provided by the package ${provider}, which is not installed here`
          : `unknown component type "${component.type}" (known types: ${known})`,
        at,
        { component: component.name, ...(provider ? { fix: `npm install ${provider}, then run \`flowcast registry --update\`` } : {}) },
      );
    } else if (!descriptor.available) {
      reporter.report('FC_UNAVAILABLE_TYPE', `component type "${component.type}" is unavailable here: ${descriptor.reason ?? 'unknown reason'}`, at, {
        component: component.name,
      });
    } else {
      typed.set(component.name, descriptor);
    }
  }
  return typed;
}
