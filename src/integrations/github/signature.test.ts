import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { signatureVerifier } from './signature.js';

const SECRET = 'It’s a Secret to Everybody';
const sign = (body: Buffer) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const verifier = signatureVerifier(SECRET);

async function codeOf(body: Buffer, signature: string | undefined): Promise<string | undefined> {
  try {
    await verifier.verify(body, signature);
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

describe('signatureVerifier', () => {
  it('accepts GitHub’s documented test vector', async () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    const body = Buffer.from('Hello, World!');
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    await expect(
      signatureVerifier("It's a Secret to Everybody").verify(body, signature),
    ).resolves.toBe('Hello, World!');
  });

  it('verifies the exact bytes: multi-byte characters and a byte order mark', async () => {
    const body = Buffer.from('\uFEFF{"title":"Größe ändern 🚀"}', 'utf8');
    await expect(verifier.verify(body, sign(body))).resolves.toBe(
      '\uFEFF{"title":"Größe ändern 🚀"}',
    );
  });

  it('refuses a missing, wrong, differently formatted or differently keyed signature', async () => {
    const body = Buffer.from('{"zen":"Keep it logically awesome."}');
    expect(await codeOf(body, undefined)).toBe('unauthenticated');
    expect(await codeOf(body, sign(Buffer.from('{}')))).toBe('unauthenticated');
    expect(await codeOf(body, sign(body).toUpperCase())).toBe('unauthenticated');
    expect(await codeOf(body, ` ${sign(body)}`)).toBe('unauthenticated');
    expect(await codeOf(body, `sha1=${'0'.repeat(40)}`)).toBe('unauthenticated');
    const other = `sha256=${createHmac('sha256', 'another').update(body).digest('hex')}`;
    expect(await codeOf(body, other)).toBe('unauthenticated');
  });

  it('refuses bytes that are not UTF-8 (their text would not be what was signed) and an empty body', async () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(await codeOf(body, sign(body))).toBe('unauthenticated');
    expect(await codeOf(Buffer.alloc(0), sign(Buffer.alloc(0)))).toBe('unauthenticated');
  });
});
