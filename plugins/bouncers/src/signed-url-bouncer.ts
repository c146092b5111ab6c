import { inject, injectable, TOKENS, type AccessDecision, type AccessRequest, type Bouncer, type Bouncers, type Clock, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { bouncerSignedUrl } from './descriptors';
import { sameText, signature } from './signature';

type Properties = PropertiesOf<(typeof bouncerSignedUrl)['properties']>;

/** Signed URLs: `expires` and `token` in the query, the token an HMAC of the path and the expiry. */
@injectable()
export default class SignedUrlBouncer implements Component, Bouncer {
  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.clock) private readonly clock: Clock,
    @inject(TOKENS.componentName) name: string,
    @inject(TOKENS.bouncers) bouncers: Bouncers,
  ) {
    bouncers.register(name, this);
  }

  build(_part: PartBuilder): void {
    // No media.
  }

  async check(request: AccessRequest): Promise<AccessDecision> {
    const token = request.query.get('token');
    const expiresText = request.query.get('expires');
    if (!token || !expiresText) return { allow: false, status: 403, reason: 'no signed URL (expires and token missing)' };
    if (!/^\d{1,12}$/.test(expiresText)) return { allow: false, status: 403, reason: 'expires is not a time' };
    const expires = Number(expiresText);
    if (!sameText(token, signature(this.props.secret, request.path, expires))) return { allow: false, status: 403, reason: 'the signature does not match (tampered, or signed for another path or key)' };
    if (expires * 1000 <= this.clock.now()) return { allow: false, status: 403, reason: `the signed URL expired at ${new Date(expires * 1000).toISOString()}` };
    return { allow: true, ...(this.props['end-at-expiry'] ? { until: expires * 1000 } : {}) };
  }
}
