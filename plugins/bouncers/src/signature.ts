import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature of a path until `expires` (seconds since the epoch): base64url HMAC-SHA256. */
export function signature(secret: string, path: string, expires: number): string {
  return createHmac('sha256', secret).update(`${path}\n${expires}`).digest('base64url');
}

/** A signed URL for `path` (as it will be requested, percent-encoded), valid until `expires`. */
export function signUrl(secret: string, path: string, expires: number, query = ''): string {
  const extra = query ? `${query}&` : '';
  return `${path}?${extra}expires=${expires}&token=${signature(secret, path, expires)}`;
}

/** Compare in constant time, so the time taken says nothing of how much of a token was right. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
