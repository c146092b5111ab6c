/** The names a template fills in. */
export interface TemplateNames {
  packageName: string;
  /** The component type, kebab-case: `encoder-flac`. */
  type: string;
  /** The component class: `EncoderFlac`. */
  className: string;
  /** The descriptor constant: `encoderFlac`. */
  descriptorName: string;
}

/**
 * One kind of component as generated: every template must build, pass its own test and run in a
 * flow as written, with elements from gstreamer1.0-plugins-base and -good only.
 */
export interface KindTemplate {
  /** What the component does, one sentence (package.json description, README). */
  summary: string;
  /** src/descriptor.ts */
  descriptor(names: TemplateNames): string;
  /** src/<type>.ts: the component class. */
  implementation(names: TemplateNames): string;
  /** test/<type>.test.ts, written with the test kit. */
  test(names: TemplateNames): string;
  /** The components of a flow that uses it, in YAML, for the README. */
  flowExample(names: TemplateNames): string;
}

/** The first lines of every generated test: the package directory, as the test kit wants it. */
export function testPreamble(imports: string): string {
  return `import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ${imports} } from '@flowcast/core/testing';

// This file runs as dist/test/*.test.js: the package directory is two levels up.
const packageDirectory = path.resolve(__dirname, '..', '..');
`;
}

/** Largest absolute 16-bit sample, for tests that check a level. */
export const PEAK_HELPER = `/** The largest absolute sample of 16-bit little-endian audio. */
function peak(pcm: Buffer): number {
  let max = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) max = Math.max(max, Math.abs(pcm.readInt16LE(i)));
  return max;
}
`;
