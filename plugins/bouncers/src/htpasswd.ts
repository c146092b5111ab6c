import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import md5 from 'apache-md5';
import bcrypt from 'bcryptjs';

export interface HtpasswdFile {
  users: Map<string, string>;
  /** Lines that are not `user:hash` with a hash this bouncer checks (1-based numbers). */
  problems: { line: number; reason: string }[];
}

/** The kinds of hash Apache's htpasswd writes that this bouncer checks. */
export function hashKind(hash: string): 'bcrypt' | 'apr1' | 'sha' | undefined {
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) return 'bcrypt';
  if (hash.startsWith('$apr1$')) return 'apr1';
  if (hash.startsWith('{SHA}')) return 'sha';
  return undefined;
}

export function readHtpasswd(file: string): HtpasswdFile {
  const users = new Map<string, string>();
  const problems: HtpasswdFile['problems'] = [];
  fs.readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((text, i) => {
      if (text.trim() === '' || text.startsWith('#')) return;
      const colon = text.indexOf(':');
      if (colon <= 0) return void problems.push({ line: i + 1, reason: 'not user:hash' });
      const user = text.slice(0, colon);
      const hash = text.slice(colon + 1).trim();
      if (!hashKind(hash)) return void problems.push({ line: i + 1, reason: `the hash of "${user}" is neither bcrypt ($2y$), Apache MD5 ($apr1$) nor {SHA} (crypt and plain text are refused: use htpasswd -B)` });
      users.set(user, hash);
    });
  return { users, problems };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether `password` matches an htpasswd hash. */
export async function passwordMatches(password: string, hash: string): Promise<boolean> {
  switch (hashKind(hash)) {
    case 'bcrypt':
      return bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
    case 'apr1':
      return same(md5(password, hash), hash);
    case 'sha':
      return same(`{SHA}${createHash('sha1').update(password).digest('base64')}`, hash);
    default:
      return false;
  }
}
