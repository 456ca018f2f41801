/**
 * User text placed in Markdown (a Teams card's TextBlocks and facts, a meeting's
 * agenda) must stay text: a change titled `[Approve now](https://evil.example)`
 * would show as a link. Backslash escapes
 * (CommonMark) keep it text: everything that opens a link, an emphasis or code,
 * and what would start a heading, list or quote at the beginning of a line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>~|]/g, '\\$&')
    .replace(
      /^(\s*)([#+\->]|\d+[.)])/gm,
      (_match, space: string, marker: string) => `${space}${marker.replace(/[#+\->.)]/, '\\$&')}`,
    );
}
