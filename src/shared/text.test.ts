import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { findTextProblems, textProblem, truncate } from './text.js';

describe('textProblem', () => {
  it('accepts well-formed text in any script, with tabs and line breaks', () => {
    for (const text of ['', 'Raise the limit', 'שינוי תצורה', 'naïve 😀 👩‍👩‍👧', 'a\tb\r\nc', '\u200F'])
      expect(textProblem(text)).toBeUndefined();
  });

  it('names the first character it refuses and where it is', () => {
    expect(textProblem('ab\ud800')).toBe(
      'is not valid Unicode: a lone surrogate U+D800 at character 3 (a character cut in half?)',
    );
    expect(textProblem('😀\udfff')).toContain('U+DFFF at character 2');
    expect(textProblem('x\u0000')).toBe(
      'contains the control character U+0000 (NUL) at character 2',
    );
    expect(textProblem('\u001b[31m')).toContain('U+001B');
    expect(textProblem('\u0085')).toContain('U+0085');
    expect(textProblem('pay \u202Egnp')).toContain('bidirectional control U+202E at character 5');
    expect(textProblem('\u2066x\u2069')).toContain('U+2066');
  });
});

describe('findTextProblems', () => {
  it('walks objects, arrays and keys, with the path to each problem', () => {
    expect(
      findTextProblems(
        {
          title: 'ok',
          links: [{ title: 'bad\u0000' }],
          answers: { 'k\ud800': 'v', fine: 'x\u202E' },
        },
        [],
      ),
    ).toEqual([
      { segments: ['links', 0, 'title'], message: expect.stringContaining('U+0000') },
      {
        segments: ['answers'],
        message: expect.stringMatching(/^has a key that is not valid Unicode/),
      },
      { segments: ['answers', 'fine'], message: expect.stringContaining('U+202E') },
    ]);
  });

  it('leaves numbers, booleans, null and raw bytes alone', () => {
    expect(findTextProblems({ n: 1, b: true, z: null, raw: Buffer.from([0, 0xff]) })).toEqual([]);
  });

  it('starts paths where it is told', () => {
    expect(
      findTextProblems(Object.assign(Object.create(null) as object, { q: '\u0000' }), ['query']),
    ).toEqual([{ segments: ['query', 'q'], message: expect.any(String) }]);
  });
});

describe('truncate', () => {
  it('keeps text that fits', () => {
    expect(truncate('short', 5)).toBe('short');
  });

  it('never splits an emoji, a family or a letter from its accent', () => {
    expect(truncate('abc😀def', 5)).toBe('abc…');
    expect(truncate('ab👩‍👩‍👧cd', 10)).toBe('ab…');
    expect(truncate('cafe\u0301s', 5)).toBe('caf…');
  });

  test.prop([fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1, max: 200 })])(
    'always gives well-formed text within the limit',
    (text, max) => {
      const cut = truncate(text, max);
      expect(cut.length).toBeLessThanOrEqual(Math.max(max, text.length <= max ? text.length : 0));
      expect(/\p{Cs}/u.test(cut)).toBe(false); // no lone surrogate
      if (cut !== text) expect(cut.endsWith('…')).toBe(true);
    },
  );
});
