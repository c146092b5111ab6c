import { definePlugin } from '@flowcast/core';
import { bouncerHtpasswd, bouncerHttp, bouncerIp, bouncerJwt, bouncerSignedUrl } from './descriptors';

export default definePlugin({ components: [bouncerHtpasswd, bouncerSignedUrl, bouncerJwt, bouncerIp, bouncerHttp] });
