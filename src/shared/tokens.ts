import { createHash, randomBytes } from 'node:crypto';

/** A random 256-bit secret, URL-safe, with a prefix that says what it is (secret scanners look for these). */
export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Secrets are stored and looked up by digest only: a fast hash suffices for 256 random bits. */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
