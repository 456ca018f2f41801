/**
 * What text Changeboard accepts, everywhere text comes in (API bodies, query
 * strings, GitHub payloads): well-formed Unicode without invisible controls.
 *
 * - No lone surrogates (`\ud800` with no partner): such a string is not Unicode,
 *   cannot be hashed canonically (RFC 8785) nor stored as UTF-8.
 * - No control characters but tab, line feed and carriage return: NUL cannot be
 *   stored in PostgreSQL text, and the others only hide things from a reader.
 * - No bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069): they
 *   make text display in another order than it is stored ("Trojan Source"), which
 *   a change's reviewers must never be shown. Ordinary right-to-left text needs none.
 */
const FORBIDDEN =
  // Matching control characters is the point here.
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;

/** Why `text` is not acceptable, naming the first offending character; undefined when it is. */
export function textProblem(text: string): string | undefined {
  const match = FORBIDDEN.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!;
  const position = `at character ${[...text.slice(0, match.index)].length + 1}`;
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff)
    return `is not valid Unicode: a lone surrogate ${name} ${position} (a character cut in half?)`;
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069))
    return `contains the bidirectional control ${name} ${position}, which makes text display differently from what it says`;
  return `contains the control character ${name}${code === 0 ? ' (NUL)' : ''} ${position}`;
}

export interface TextIssue {
  /** Path segments from the root, e.g. ['links', 0, 'title']. */
  readonly segments: readonly (string | number)[];
  readonly message: string;
}

/** Every string in `value` (object keys included) that `textProblem` refuses, with its path. */
export function findTextProblems(
  value: unknown,
  segments: readonly (string | number)[] = [],
): TextIssue[] {
  const issues: TextIssue[] = [];
  const visit = (node: unknown, path: readonly (string | number)[], depth: number): void => {
    if (typeof node === 'string') {
      const message = textProblem(node);
      if (message) issues.push({ segments: path, message });
    } else if (Array.isArray(node)) {
      if (depth < MAX_DEPTH)
        node.forEach((item, index) => visit(item, [...path, index], depth + 1));
    } else if (isRecord(node) && depth < MAX_DEPTH) {
      for (const [key, item] of Object.entries(node)) {
        const message = textProblem(key);
        // The key itself cannot be shown safely as a path: name where it sits instead.
        if (message) issues.push({ segments: path, message: `has a key that ${message}` });
        else visit(item, [...path, key], depth + 1);
      }
    }
  };
  visit(value, segments, 0);
  return issues;
}

/** Deeper than any body Changeboard accepts; a schema refuses such a body anyway. */
const MAX_DEPTH = 64;

/** Parsed JSON and query strings (whose objects may have no Object prototype); not raw bytes. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !ArrayBuffer.isView(value);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `max` UTF-16 code units (what JavaScript's `length`
 * counts, and never fewer than the code points a schema's maxLength counts),
 * ending in `…` when cut. It cuts between grapheme clusters, so neither an emoji
 * nor a letter with its accents is split.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - 1;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    if (index + segment.length > room) break;
    end = index + segment.length;
  }
  return `${text.slice(0, end)}…`;
}
