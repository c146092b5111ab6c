import { definePlugin } from '@flowcast/core';
import { producerAlsa } from './descriptor';

export default definePlugin({ components: [producerAlsa] });
