import { createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  FlowcastError,
  inject,
  injectable,
  TOKENS,
  type AccessDecision,
  type AccessRequest,
  type Bouncer,
  type Bouncers,
  type Component,
  type PartBuilder,
  type Paths,
  type PropertiesOf,
} from '@flowcast/core';
import type { bouncerJwt } from './descriptors';

type Properties = PropertiesOf<(typeof bouncerJwt)['properties']>;

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * JSON Web Tokens, verified with `jose` (an ES module: loaded with import(), which works from this
 * CommonJS package on every Node 20). Missing, invalid or expired tokens get 401 with a Bearer
 * challenge (RFC 6750).
 */
@injectable()
export default class JwtBouncer implements Component, Bouncer {
  private key?: Uint8Array | KeyObject;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.paths) private readonly paths: Paths,
    @inject(TOKENS.componentName) name: string,
    @inject(TOKENS.bouncers) bouncers: Bouncers,
  ) {
    bouncers.register(name, this);
  }

  preflight(): void {
    if (this.props.secret) {
      this.key = new TextEncoder().encode(this.props.secret);
      return;
    }
    if (!this.props['public-key']) throw new FlowcastError('FC_PREFLIGHT', 'bouncer-jwt needs `secret` or `public-key`', { fix: 'set one of them', location: { property: 'secret' } });
    const file = path.resolve(this.paths.project, this.props['public-key']);
    try {
      this.key = createPublicKey(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new FlowcastError('FC_PREFLIGHT', `public key "${file}" cannot be read as a PEM public key: ${(error as Error).message}`, { fix: 'give a PEM file with the public key', location: { property: 'public-key' } });
    }
  }

  build(_part: PartBuilder): void {
    // No media.
  }

  async check(request: AccessRequest): Promise<AccessDecision> {
    const realm = `Bearer realm="${this.props.realm}"`;
    const bearer = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    const token = bearer ?? request.query.get('token') ?? undefined;
    if (!token) return { allow: false, status: 401, reason: 'no token', challenge: realm };
    const { jwtVerify } = await import('jose');
    try {
      const { payload } = await jwtVerify(token, this.key!, {
        algorithms: this.props.secret ? HMAC_ALGORITHMS : KEY_ALGORITHMS,
        ...(this.props.issuer ? { issuer: this.props.issuer } : {}),
        ...(this.props.audience ? { audience: this.props.audience } : {}),
      });
      return {
        allow: true,
        ...(typeof payload.sub === 'string' ? { user: payload.sub } : {}),
        ...(this.props['end-at-expiry'] && typeof payload.exp === 'number' ? { until: payload.exp * 1000 } : {}),
      };
    } catch (error) {
      const reason = (error as Error).message;
      return { allow: false, status: 401, reason: `invalid token: ${reason}`, challenge: `${realm}, error="invalid_token"` };
    }
  }
}
