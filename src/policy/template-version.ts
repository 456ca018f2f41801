import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * A standard change template's version: the first 12 hex digits of the SHA-256
 * of its RFC 8785 canonical JSON, as written in the policy file. Whatever
 * changes in it (a service, an answer, who may use it) makes a new version;
 * moving it within the file, or reformatting the YAML, does not. Computed here,
 * not in domain/standard-changes.ts, so that the web app's form can share those
 * rules without bundling a hash.
 */
export function templateVersion(written: unknown): string {
  return createHash('sha256')
    .update(canonicalize(written) ?? '')
    .digest('hex')
    .slice(0, 12);
}
