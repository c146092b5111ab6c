/**
 * The public plugin API: everything a plugin author imports comes from `@flowcast/core`.
 * Import `injectable` and `inject` from here, not from tsyringe, so the plugin and core share one
 * container implementation.
 */
import 'reflect-metadata';

export { injectable, inject } from 'tsyringe';
export * from './api/access';
export * from './api/archive';
export * from './api/component';
export * from './api/live';
export * from './api/media';
export * from './api/net';
export * from './api/levels';
export * from './api/part';
export * from './api/running';
export * from './api/schema';
export * from './api/services';
export * from './api/tokens';
export * from './api/video';
export * from './api/latency-marker';
export { FlowcastError, isFlowcastError } from './errors/flowcast-error';
export { writeRawReply } from './http/raw-reply';
export type { ErrorCode } from './errors/codes';
export * from './api/capture-devices';
