import { inject, injectable, TOKENS, type AccessDecision, type AccessRequest, type Bouncer, type Bouncers, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import { basicCredentials } from './basic-auth';
import type { bouncerHttp } from './descriptors';

type Properties = PropertiesOf<(typeof bouncerHttp)['properties']>;

/** What the service receives, as JSON. */
export interface HookRequest {
  action: 'listener_add';
  method: string;
  path: string;
  query: Record<string, string>;
  ip: string;
  user?: string;
  password?: string;
  userAgent?: string;
  referer?: string;
}

/** Icecast's URL authentication, as JSON: the service decides; no answer in time refuses. */
@injectable()
export default class HttpBouncer implements Component, Bouncer {
  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.componentName) name: string,
    @inject(TOKENS.bouncers) bouncers: Bouncers,
  ) {
    bouncers.register(name, this);
  }

  build(_part: PartBuilder): void {
    // No media.
  }

  async check(request: AccessRequest): Promise<AccessDecision> {
    const credentials = basicCredentials(request.headers.authorization);
    const body: HookRequest = {
      action: 'listener_add',
      method: request.method,
      path: request.path,
      query: Object.fromEntries(request.query),
      ip: request.remoteAddress,
      ...(credentials ? { user: credentials.user, password: credentials.password } : {}),
      ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
      ...(request.headers.referer ? { referer: request.headers.referer } : {}),
    };
    let status: number;
    try {
      const response = await fetch(this.props.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.props.timeout * 1000),
        redirect: 'error',
      });
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      return { allow: false, status: 403, reason: `the authentication service did not answer: ${(error as Error).message}` };
    }
    if (status >= 200 && status < 300) return { allow: true, ...(credentials ? { user: credentials.user } : {}) };
    if (status === 401) return { allow: false, status: 401, reason: 'the authentication service asks for credentials', challenge: `Basic realm="${this.props.realm}", charset="UTF-8"` };
    return { allow: false, status: 403, reason: `the authentication service answered ${status}` };
  }
}
