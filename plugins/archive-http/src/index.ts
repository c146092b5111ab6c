import { definePlugin } from '@flowcast/core';
import { archiveHttp } from './descriptor';

export default definePlugin({ components: [archiveHttp] });
