import type { StationInfo } from './station-headers';

/** How a streamer treats its listeners; all durations in ms, sizes in bytes. */
export interface ListenerPolicy {
  /** Where a new listener starts: the next buffer, the latest sync point, or a burst. */
  burst: { mode: 'off' } | { mode: 'latest-sync' } | { mode: 'bytes'; bytes: number } | { mode: 'time'; ms: number };
  /** Behind by more than this when it can be written to again: skip to the latest sync point. */
  softLagMs: number;
  /** Behind by more than this: disconnected. */
  hardLagMs: number;
  /** Buffers arriving within this long go out together, one writev per listener (0: at once). */
  writeIntervalMs?: number;
  /** Nothing sent to a listener for this long: disconnected (0: never). */
  idleTimeoutMs: number;
  /** Data waiting for a listener (in Node and in the kernel) beyond this: disconnected. */
  maxClientBuffer: number;
  /** At most this many listeners; 0 for no limit. */
  clientLimit: number;
  /** Refuse a listener when (listeners + 1) × stream bitrate would pass this (bits/s); 0 for none. */
  bandwidthLimit: number;
  /** Where refused listeners are sent (302); otherwise they get 503. */
  redirectOnOverflow?: string;
  /** Access-Control-Allow-Origin on the stream's response ("" or absent: none). */
  allowOrigin?: string;
  /** The station's name and description, sent as icy-* headers. */
  station?: StationInfo;
}

const UNITS: Readonly<Record<string, number>> = { 'bit/s': 1, 'kbit/s': 1e3, 'Mbit/s': 1e6, 'Gbit/s': 1e9 };
export const BANDWIDTH_PATTERN = '^[0-9]+(\\.[0-9]+)? ?(bit/s|kbit/s|Mbit/s|Gbit/s)$';

/** "100 Mbit/s" → 100000000. The unit is part of the value, so it cannot be misread. */
export function parseBandwidth(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?) ?(bit\/s|kbit\/s|Mbit\/s|Gbit\/s)$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a bandwidth such as "100 Mbit/s"`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** Why a new listener cannot be admitted, or undefined when it can. */
export function admissionRefusal(policy: ListenerPolicy, listeners: number, streamBitsPerSecond: number): string | undefined {
  if (policy.clientLimit > 0 && listeners >= policy.clientLimit) return `client limit ${policy.clientLimit} reached`;
  if (policy.bandwidthLimit > 0 && (listeners + 1) * streamBitsPerSecond > policy.bandwidthLimit) {
    return `bandwidth limit ${policy.bandwidthLimit} bit/s would be passed`;
  }
  return undefined;
}
