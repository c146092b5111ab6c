import 'reflect-metadata';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inject, injectable } from 'tsyringe';
import type { Component } from '../src/api/component';
import type { PartBuilder } from '../src/api/part';
import type { Logger } from '../src/api/services';
import { TOKENS } from '../src/api/tokens';
import type { ResolvedComponent } from '../src/flow/types';
import { createLogger } from '../src/log/logger';
import { createFlowContainer, resolveComponent, type CoreServices } from '../src/runtime/container';

const lines: string[] = [];
const logger = createLogger({ format: 'json', level: 'debug', sink: { write: (l) => lines.push(l) } });
const services: CoreServices = {
  logger,
  http: { mount: async () => ({ url: 'http://x', close: async () => {} }) },
  paths: { project: '/p', flowDirectory: '/p/flows', logs: '/p/logs' },
  clock: { now: () => 0, monotonic: () => 0 },
  announcer: { announce: () => {} },
  system: { ensureOpenFiles: () => ({ limit: 1024, raised: false }) },
};
const resolved = (name: string): ResolvedComponent => ({ name, type: 'test-type', descriptor: {} as never, properties: { level: 3 }, eats: [] });

@injectable()
class Wants implements Component {
  constructor(
    @inject(TOKENS.properties) readonly props: { level: number },
    @inject(TOKENS.componentName) readonly name: string,
    @inject(TOKENS.flowName) readonly flow: string,
    @inject(TOKENS.logger) readonly log: Logger,
  ) {}
  build(_part: PartBuilder): void {}
}

@injectable()
class WantsTheMoon implements Component {
  constructor(@inject('flowcast:moon') readonly moon: unknown) {}
  build(_part: PartBuilder): void {}
}

test('a component receives its own properties, name, flow and scoped logger', () => {
  const flow = createFlowContainer('radio', services);
  const a = resolveComponent(flow, resolved('a'), Wants, logger.child({ component: 'a' })) as Wants;
  const b = resolveComponent(flow, { ...resolved('b'), properties: { level: 7 } }, Wants, logger.child({ component: 'b' })) as Wants;
  assert.deepEqual([a.props.level, a.name, a.flow], [3, 'a', 'radio']);
  assert.deepEqual([b.props.level, b.name], [7, 'b']);
  assert.ok(Object.isFrozen(a.props));
  a.log.info('hello');
  assert.equal(JSON.parse(lines.at(-1)!).component, 'a');
});

test('a DI failure names the component, its type and the token it could not get', () => {
  const flow = createFlowContainer('radio', services);
  assert.throws(
    () => resolveComponent(flow, resolved('moon'), WantsTheMoon, logger),
    (error: Error) => {
      assert.match(error.message, /^FC_DI_FAILED: component "moon" \(test-type\): cannot create WantsTheMoon: /);
      assert.match(error.message, /flowcast:moon/);
      return true;
    },
  );
});
