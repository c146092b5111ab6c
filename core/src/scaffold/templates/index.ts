import type { ScaffoldKind } from '../../api/component';
import { consumerTemplate } from './consumer';
import { converterTemplate } from './converter';
import { encoderTemplate } from './encoder';
import { muxerTemplate } from './muxer';
import { producerTemplate } from './producer';
import type { KindTemplate } from './template';

export type { KindTemplate, TemplateNames } from './template';

/** The working component each kind starts from. */
export const TEMPLATES: Readonly<Record<ScaffoldKind, KindTemplate>> = {
  producer: producerTemplate,
  converter: converterTemplate,
  encoder: encoderTemplate,
  muxer: muxerTemplate,
  consumer: consumerTemplate,
};
