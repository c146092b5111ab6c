import { definePlugin } from '@flowcast/core';
import { bouncerHtpasswd, bouncerSignedUrl } from './descriptors';

export default definePlugin({ components: [bouncerHtpasswd, bouncerSignedUrl] });
