import { definePlugin } from '@flowcast/core';
import { switchComponent } from './descriptor';

export default definePlugin({ components: [switchComponent] });
