import { Webhooks } from '@octokit/webhooks';
import { AppError } from '../../domain/errors.js';

/** Checks `X-Hub-Signature-256` over a delivery's exact bytes, in constant time. */
export interface SignatureVerifier {
  /** The body as text once it is proven to come from GitHub; throws `unauthenticated` otherwise. */
  verify(body: Buffer, signature: string | undefined): Promise<string>;
}

// Fatal: bytes that are not UTF-8 throw instead of turning into U+FFFD. Keeping a BOM: so the text
// encodes back to exactly the bytes received, and verifying the text verifies those bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function signatureVerifier(secret: string): SignatureVerifier {
  // @octokit/webhooks signs the UTF-8 encoding of a string (HMAC SHA-256) and compares with timingSafeEqual.
  const webhooks = new Webhooks({ secret });
  return {
    async verify(body, signature) {
      if (!signature) {
        throw new AppError(
          'unauthenticated',
          'X-Hub-Signature-256 is missing: set a secret on the GitHub webhook (the same as GITHUB_WEBHOOK_SECRET)',
        );
      }
      let text: string | undefined;
      try {
        text = utf8.decode(body);
      } catch {
        text = undefined;
      }
      if (
        !text ||
        !/^sha256=[0-9a-f]{64}$/.test(signature) ||
        !(await webhooks.verify(text, signature))
      ) {
        throw new AppError(
          'unauthenticated',
          'X-Hub-Signature-256 does not match the body: the webhook secret differs from GITHUB_WEBHOOK_SECRET, or the body was altered',
        );
      }
      return text;
    },
  };
}
