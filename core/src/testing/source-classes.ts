import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import type { Component, ComponentClass } from '../api/component';
import type { PartBuilder } from '../api/part';
import { TOKENS } from '../api/tokens';
import { buildTestAudio, buildTestEncodedAudio, buildTestVideo, ENCODERS, type AudioSourceProperties, type VideoSourceProperties } from './source-parts';

type Build = (part: PartBuilder, properties: Readonly<Record<string, unknown>>) => void;

/** A source component class whose part is `build` with its validated properties. */
function sourceClass(build: Build): ComponentClass {
  @injectable()
  class TestSourceComponent implements Component {
    constructor(@inject(TOKENS.properties) private readonly props: Readonly<Record<string, unknown>>) {}

    build(part: PartBuilder): void {
      build(part, this.props);
    }
  }
  return TestSourceComponent;
}

/** The class of each test source type, by type. */
export function sourceClasses(): Map<string, ComponentClass> {
  const classes = new Map<string, ComponentClass>([
    ['test-audio', sourceClass((part, p) => buildTestAudio(part, p as unknown as AudioSourceProperties))],
    ['test-video', sourceClass((part, p) => buildTestVideo(part, p as unknown as VideoSourceProperties))],
  ]);
  for (const codec of Object.keys(ENCODERS) as (keyof typeof ENCODERS)[]) {
    classes.set(`test-${codec}`, sourceClass((part, p) => buildTestEncodedAudio(part, codec, p['seconds'] as number)));
  }
  return classes;
}
