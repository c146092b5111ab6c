import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FlowcastError } from '../errors/flowcast-error';

const scrypt = promisify(crypto.scrypt) as (password: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number) => Promise<Buffer>;

export type Role = 'read' | 'admin';
export const ROLES: readonly Role[] = ['read', 'admin'];

/** One token as stored: never the token itself, only its scrypt hash. */
interface StoredToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly salt: string;
  readonly hash: string;
  readonly created: string;
}

/** Who a valid token belongs to. */
export interface TokenIdentity {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
}

const KEY_LENGTH = 32;
/** Tokens look like fct_<id>_<secret>: the id finds the record, so one scrypt per check. */
const TOKEN_PATTERN = /^fct_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** Where the server keeps its state (tokens, stopped flows): FLOWCAST_STATE_DIR, else PROJECT/.flowcast. */
export function stateDirectory(project: string, env: NodeJS.ProcessEnv): string {
  return env.FLOWCAST_STATE_DIR ? path.resolve(project, env.FLOWCAST_STATE_DIR) : path.join(project, '.flowcast');
}

/** Where a project keeps its tokens. */
export function tokenFile(project: string, env: NodeJS.ProcessEnv): string {
  return path.join(stateDirectory(project, env), 'tokens.json');
}

/**
 * The admin API's tokens, in a JSON file readable by its owner only (0600). Only scrypt hashes
 * are kept; the token is shown once, when made. The file is read again when it changes, so a
 * token made while the server runs works at once.
 */
export class TokenStore {
  private cached?: { mtimeMs: number; tokens: StoredToken[] };
  /** Tokens already checked, by their SHA-256, so scrypt runs once per token and not per request. */
  private readonly verified = new Map<string, TokenIdentity>();

  constructor(readonly file: string) {}

  list(): TokenIdentity[] {
    return this.read().map(({ id, name, role }) => ({ id, name, role }));
  }

  /** Make a token; returns it (to be shown once) with its identity. */
  async create(name: string, role: Role): Promise<{ token: string; identity: TokenIdentity }> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/.test(name)) throw new FlowcastError('FC_TOKEN', `token name "${name}" is not allowed`, { fix: 'name a token with letters, digits, dots, dashes, underscores and @ (at most 64)' });
    if (!ROLES.includes(role)) throw new FlowcastError('FC_TOKEN', `role "${role}" does not exist (roles: ${ROLES.join(', ')})`, { fix: 'pass --role read or --role admin' });
    const tokens = this.read();
    if (tokens.some((t) => t.name === name)) throw new FlowcastError('FC_TOKEN', `there is a token named "${name}" already`, { fix: `revoke it first (\`flowcast token revoke ${name}\`) or choose another name` });
    const id = crypto.randomBytes(6).toString('hex');
    const secret = crypto.randomBytes(32).toString('base64url');
    const salt = crypto.randomBytes(16);
    const hash = await scrypt(secret, salt, KEY_LENGTH);
    this.write([...tokens, { id, name, role, salt: salt.toString('base64'), hash: hash.toString('base64'), created: new Date().toISOString() }]);
    return { token: `fct_${id}_${secret}`, identity: { id, name, role } };
  }

  revoke(name: string): boolean {
    const tokens = this.read();
    const kept = tokens.filter((t) => t.name !== name);
    if (kept.length === tokens.length) return false;
    this.write(kept);
    this.verified.clear();
    return true;
  }

  /** Who the token belongs to, or undefined for any token that is not valid (never why). */
  async verify(token: string): Promise<TokenIdentity | undefined> {
    const match = TOKEN_PATTERN.exec(token);
    if (!match) return undefined;
    const tokens = this.read();
    const digest = crypto.createHash('sha256').update(token).digest('hex');
    const known = this.verified.get(digest);
    if (known && tokens.some((t) => t.id === known.id)) return known;
    const stored = tokens.find((t) => t.id === match[1]);
    if (!stored) return undefined;
    const hash = await scrypt(match[2]!, Buffer.from(stored.salt, 'base64'), KEY_LENGTH);
    if (!crypto.timingSafeEqual(hash, Buffer.from(stored.hash, 'base64'))) return undefined;
    const identity = { id: stored.id, name: stored.name, role: stored.role };
    this.verified.set(digest, identity);
    return identity;
  }

  private read(): StoredToken[] {
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(this.file).mtimeMs;
    } catch {
      return [];
    }
    if (this.cached?.mtimeMs === mtimeMs) return this.cached.tokens;
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { tokens?: StoredToken[] };
    const tokens = Array.isArray(parsed.tokens) ? parsed.tokens : [];
    this.cached = { mtimeMs, tokens };
    this.verified.clear();
    return tokens;
  }

  private write(tokens: StoredToken[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify({ tokens }, null, 2) + '\n', { mode: 0o600 });
    fs.chmodSync(temporary, 0o600);
    fs.renameSync(temporary, this.file);
    this.cached = undefined;
  }
}
