import { definePlugin } from '@flowcast/core';
import { producerTest } from './descriptor';

export default definePlugin({ components: [producerTest] });
