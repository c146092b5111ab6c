import { definePlugin } from '@flowcast/core';
import { bouncerHtpasswd, bouncerHttp, bouncerIp, bouncerSignedUrl } from './descriptors';

export default definePlugin({ components: [bouncerHtpasswd, bouncerSignedUrl, bouncerIp, bouncerHttp] });
