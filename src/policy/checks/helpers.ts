import { parseDuration } from '../../shared/duration.js';

export type Segments = readonly (string | number)[];

export function checkDuration(
  text: string | undefined,
  at: Segments,
  error: (s: Segments, m: string) => void,
): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined)
    error(at, `"${text}" is not a duration; write it like 30m, 4h, 1d or 1h30m`);
  return ms;
}

export function noteUnique(
  seen: Map<string, number>,
  key: string,
  index: number,
  onDuplicate: () => void,
): void {
  if (seen.has(key)) onDuplicate();
  else seen.set(key, index);
}

export function unknown(kind: string, value: string, known: Iterable<string>): string {
  const list = [...known];
  const suggestion = closest(value, list);
  return `unknown ${kind} "${value}"${suggestion ? ` (did you mean "${suggestion}"?)` : list.length ? ` (known: ${list.join(', ')})` : ''}`;
}

function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(value.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = levenshtein(value.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
