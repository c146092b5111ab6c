import { definePlugin } from '@flowcast/core';
import { streamerHttp } from './descriptor';

export default definePlugin({ components: [streamerHttp] });
