import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackSignature } from './signature.js';

// Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SLACK_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const AT = Number(TIMESTAMP) * 1000;

const check = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({
    signingSecret: SECRET,
    body: Buffer.from(BODY),
    timestamp: TIMESTAMP,
    signature: SLACK_SIGNATURE,
    nowMs: AT,
    ...overrides,
  });

describe('verifySlackSignature', () => {
  it("accepts Slack's own example", () => {
    expect(check()).toEqual({ ok: true });
    expect(signSlackRequest(SECRET, Number(TIMESTAMP), BODY)).toBe(SLACK_SIGNATURE);
  });

  it('refuses another secret, an altered body, a cut signature or a missing header', () => {
    expect(check({ signingSecret: 'another-secret' }).ok).toBe(false);
    expect(check({ body: Buffer.from(`${BODY}&x=1`) }).ok).toBe(false);
    expect(check({ signature: SLACK_SIGNATURE.slice(0, -2) }).ok).toBe(false);
    expect(check({ signature: SLACK_SIGNATURE.replace('v0=', 'v1=') }).ok).toBe(false);
    expect(check({ signature: undefined }).ok).toBe(false);
    expect(check({ timestamp: undefined }).ok).toBe(false);
    expect(check({ timestamp: '15314206x8' }).ok).toBe(false);
  });

  it('signs the exact bytes: a body that is not UTF-8 is checked as received', () => {
    const bytes = Buffer.from([0x70, 0x61, 0x79, 0xff, 0xfe]);
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${TIMESTAMP}:`).update(bytes).digest('hex')}`;
    expect(check({ body: bytes, signature })).toEqual({ ok: true });
  });

  it('accepts five minutes either way and refuses a replay older than that', () => {
    expect(check({ nowMs: AT + 300_000 }).ok).toBe(true);
    expect(check({ nowMs: AT - 300_000 }).ok).toBe(true);
    const replay = check({ nowMs: AT + 301_000 });
    expect(replay).toMatchObject({ ok: false, reason: expect.stringContaining('five minutes') });
    expect(check({ nowMs: AT - 301_000 }).ok).toBe(false);
  });
});
