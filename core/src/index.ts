/**
 * The public plugin API: everything a plugin author imports comes from `@flowcast/core`.
 * Import `injectable` and `inject` from here, not from tsyringe, so the plugin and core share one
 * container implementation.
 */
import 'reflect-metadata';

export { injectable, inject } from 'tsyringe';
export * from './api/component';
export * from './api/levels';
export * from './api/part';
export * from './api/running';
export * from './api/schema';
export * from './api/services';
export * from './api/tokens';
export { FlowcastError, isFlowcastError } from './errors/flowcast-error';
export { writeRawReply } from './http/raw-reply';
export type { ErrorCode } from './errors/codes';
