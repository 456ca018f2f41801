import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/load.js';
import { findMentionHandles, resolveMentions } from './mentions.js';

const next = parsePolicy(
  readFileSync(new URL('../../examples/changeboard.yaml', import.meta.url), 'utf8'),
  {},
);
if (!next.ok) throw new Error('the example policy must load');
const policy = next.policy;

describe('findMentionHandles', () => {
  it.each([
    ['@lee please look', ['lee']],
    ['thanks, @lee.', ['lee']],
    ['(@lee)', ['lee']],
    ['@lee, @ana: and @lee again', ['lee', 'ana']],
    ['@priya-s asked', ['priya-s']],
    ["@lee's call", ['lee']],
    ['cc:@kim', ['kim']],
    ['line one\n@tom on line two', ['tom']],
  ])('%j mentions %j', (text, handles) => {
    expect(findMentionHandles(text)).toEqual(handles);
  });

  it.each([
    'write to lee@example.com',
    'a@b.com',
    'see https://social.example/@lee',
    'run `npm publish @lee/pkg`',
    'in code: ``@lee``',
    '```\nnpm i @lee/thing\n```',
    '~~~sh\n@lee\n~~~',
    '@ alone',
    '@@lee',
    '@-lee',
  ])('%j mentions nobody', (text) => {
    expect(findMentionHandles(text)).toEqual([]);
  });

  it('reads on after a code block', () => {
    expect(findMentionHandles('```\n@ana\n```\nthen @lee, and `@kim`')).toEqual(['lee']);
  });
});

describe('resolveMentions', () => {
  it('finds people by policy id or GitHub login, in any case, each once', () => {
    expect(resolveMentions(policy, '@LEE and @anacosta and @lee', 'priya')).toEqual(['lee', 'ana']);
  });

  it('leaves handles that name nobody as text', () => {
    expect(resolveMentions(policy, '@nobody @support-team hi @kim', 'priya')).toEqual(['kim']);
  });

  it('never mentions the author to themselves', () => {
    expect(resolveMentions(policy, '@priya note to self, @priya-s too; @lee', 'priya')).toEqual([
      'lee',
    ]);
  });

  it('does not mention external people, who cannot open the board', () => {
    expect(policy.people.get('olu')?.external).toBe(true);
    expect(resolveMentions(policy, '@olu can you check?', 'priya')).toEqual([]);
  });
});
