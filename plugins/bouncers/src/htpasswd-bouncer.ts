import { createHash } from 'node:crypto';
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
  type Clock,
  type Component,
  type Logger,
  type PartBuilder,
  type Paths,
  type PropertiesOf,
} from '@flowcast/core';
import { basicCredentials } from './basic-auth';
import type { bouncerHtpasswd } from './descriptors';
import { passwordMatches, readHtpasswd, type HtpasswdFile } from './htpasswd';

type Properties = PropertiesOf<(typeof bouncerHtpasswd)['properties']>;

/**
 * A player asks again for each range and reconnect; bcrypt costs tens of milliseconds on purpose.
 * A match is remembered this long (by a hash of the credentials and the stored hash, so a changed
 * password is checked again).
 */
const REMEMBER_MS = 60_000;

@injectable()
export default class HtpasswdBouncer implements Component, Bouncer {
  private readonly file: string;
  private loaded?: { stamp: string; users: HtpasswdFile['users'] };
  private readonly remembered = new Map<string, number>();

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.clock) private readonly clock: Clock,
    @inject(TOKENS.paths) paths: Paths,
    @inject(TOKENS.componentName) name: string,
    @inject(TOKENS.bouncers) bouncers: Bouncers,
  ) {
    this.file = path.resolve(paths.project, props.file);
    bouncers.register(name, this);
  }

  preflight(): void {
    let read: HtpasswdFile;
    try {
      read = readHtpasswd(this.file);
    } catch (error) {
      throw new FlowcastError('FC_PREFLIGHT', `htpasswd file "${this.file}" cannot be read: ${(error as Error).message}`, { fix: 'create it with `htpasswd -cB FILE USER`, or set `file`', location: { property: 'file' } });
    }
    for (const p of read.problems) this.log.warn(`${this.file}:${p.line}: ${p.reason}; that line is ignored`);
    if (read.users.size === 0) throw new FlowcastError('FC_PREFLIGHT', `htpasswd file "${this.file}" has no usable user`, { fix: 'add one with `htpasswd -B FILE USER`', location: { property: 'file' } });
  }

  build(_part: PartBuilder): void {
    // No media.
  }

  async check(request: AccessRequest): Promise<AccessDecision> {
    const challenge = `Basic realm="${this.props.realm}", charset="UTF-8"`;
    const credentials = basicCredentials(request.headers.authorization);
    if (!credentials) return { allow: false, status: 401, reason: 'no credentials', challenge };
    const hash = this.users().get(credentials.user);
    if (!hash) return { allow: false, status: 401, reason: `unknown user "${credentials.user}"`, challenge };
    const key = createHash('sha256').update(`${credentials.user}\0${credentials.password}\0${hash}`).digest('base64');
    const now = this.clock.monotonic();
    if ((this.remembered.get(key) ?? -Infinity) > now) return { allow: true, user: credentials.user };
    if (!(await passwordMatches(credentials.password, hash))) return { allow: false, status: 401, reason: `wrong password for "${credentials.user}"`, challenge };
    if (this.remembered.size > 10_000) this.remembered.clear();
    this.remembered.set(key, now + REMEMBER_MS);
    return { allow: true, user: credentials.user };
  }

  /** The users, read again when the file changed. */
  private users(): HtpasswdFile['users'] {
    try {
      const stat = fs.statSync(this.file);
      const stamp = `${stat.size}:${stat.mtimeMs}`;
      if (this.loaded?.stamp !== stamp) this.loaded = { stamp, users: readHtpasswd(this.file).users };
    } catch (error) {
      this.log.warn(`htpasswd file "${this.file}": ${(error as Error).message}; using what was read before`);
    }
    return this.loaded?.users ?? new Map();
  }
}
