import { definePlugin } from '@flowcast/core';
import { producerV4l } from './descriptor';

export default definePlugin({ components: [producerV4l] });
