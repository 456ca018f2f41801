import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old a request may be: Slack's own advice against replays. */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;

export type SlackSignatureCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Slack's request signing (v0): `X-Slack-Signature` is `v0=` and the hex
 * HMAC-SHA256, keyed with the app's signing secret, of
 * `v0:{X-Slack-Request-Timestamp}:{the raw body}`. A timestamp more than five
 * minutes from now is refused (a replay); the digests are compared in
 * constant time. Run on the exact bytes received, before anything parses them.
 */
export function verifySlackSignature(input: {
  readonly signingSecret: string;
  readonly body: Buffer;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly nowMs: number;
}): SlackSignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature)
    return { ok: false, reason: 'X-Slack-Request-Timestamp or X-Slack-Signature is missing' };
  if (!/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'X-Slack-Request-Timestamp is not a Unix time' };
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > SLACK_MAX_AGE_SECONDS)
    return {
      ok: false,
      reason: 'X-Slack-Request-Timestamp is more than five minutes away from now (a replay?)',
    };
  const expected = Buffer.from(
    `v0=${createHmac('sha256', input.signingSecret)
      .update(`v0:${timestamp}:`)
      .update(input.body)
      .digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return {
      ok: false,
      reason:
        'X-Slack-Signature does not match the body: the signing secret differs from SLACK_SIGNING_SECRET, or the body was altered',
    };
  return { ok: true };
}

/** Signs a request body the way Slack does (tests, and anyone checking a set-up by hand). */
export function signSlackRequest(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}
