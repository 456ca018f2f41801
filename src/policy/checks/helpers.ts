import { closest } from '../../shared/closest.js';
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
