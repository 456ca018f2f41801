import type { Policy } from './policy.js';

/**
 * `@handle` as people write it in a comment: `@lee`, `(@lee)`, `@lee,`. Not
 * inside a word or an e-mail address (`a@b.com`), not in a URL path
 * (`https://x.example/@lee`). A handle ends on a letter, digit or `_`, so the
 * full stop that ends a sentence is not part of it.
 */
const MENTION = /(?<![\w.@/+-])@([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?)/g;

/** Fenced code blocks and inline code spans: what is quoted there names nobody. */
const CODE = /^(?:```|~~~)[^\n]*\n[\s\S]*?(?:^(?:```|~~~)[^\n]*$|(?![\s\S]))|(`+)[^`]*?\1/gm;

/** The handles written in `text`, in order, each once, outside code. */
export function findMentionHandles(text: string): string[] {
  const prose = text.replace(CODE, (code) => ' '.repeat(code.length));
  const handles = new Set<string>();
  for (const match of prose.matchAll(MENTION)) handles.add(match[1]!);
  return [...handles];
}

/**
 * The people a comment mentions, as policy ids, in the order written. A handle
 * is a person's policy id or their GitHub login, either in any case (an id wins
 * over another person's login). Handles that name nobody stay plain text. The
 * author is never among them, and neither are external people: they see
 * nothing of the board but the change they are asked to decide.
 */
export function resolveMentions(policy: Policy, text: string, author: string): string[] {
  const byHandle = handleIndex(policy);
  const people = new Set<string>();
  for (const handle of findMentionHandles(text)) {
    const person = byHandle.get(handle.toLowerCase());
    if (person && person !== author) people.add(person);
  }
  return [...people];
}

const indexes = new WeakMap<Policy, ReadonlyMap<string, string>>();

function handleIndex(policy: Policy): ReadonlyMap<string, string> {
  const known = indexes.get(policy);
  if (known) return known;
  const built = new Map<string, string>();
  const members = [...policy.people.values()].filter((p) => !p.external);
  // Logins first, so that ids, set after, win a clash.
  for (const person of members)
    if (person.github) built.set(person.github.toLowerCase(), person.id);
  for (const person of members) built.set(person.id.toLowerCase(), person.id);
  indexes.set(policy, built);
  return built;
}
