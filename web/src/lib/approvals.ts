import type { Change } from '../api/types.js';

type Requirement = Change['requirements'][number];

/**
 * Who can still meet an open requirement, in words: "Lee Wong" when only they
 * can, "one of Ana Costa or Dev Kumar" when any of them may, "2 more of …".
 */
export function whoCanMeet(r: Requirement, nameOf: (id: string) => string): string {
  const still = r.count - r.approvedBy.length;
  const names = r.canApprove.map(nameOf);
  if (names.length === 0) return 'nobody left who can approve';
  if (names.length <= still) return joinWith(names, 'and');
  const more = r.approvedBy.length > 0 ? ' more' : '';
  return `${still === 1 ? 'one' : still}${more} of ${joinWith(names, 'or')}`;
}

/** "Lee Wong must approve", "one of Ana Costa or Dev Kumar must approve", in the middle of a sentence. */
export function mustApprove(r: Requirement, nameOf: (id: string) => string): string {
  const who = whoCanMeet(r, nameOf);
  return r.canApprove.length === 0 ? who : `${who} must approve`;
}

/** mustApprove, starting a sentence. */
export function whoMustDecide(r: Requirement, nameOf: (id: string) => string): string {
  const phrase = mustApprove(r, nameOf);
  return `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}`;
}

/** "Lee Wong and one of Ana Costa or Dev Kumar": everything still open, for a card. */
export function waitingFor(
  change: Pick<Change, 'requirements'>,
  nameOf: (id: string) => string,
): string {
  return joinWith(
    change.requirements.filter((r) => !r.met).map((r) => whoCanMeet(r, nameOf)),
    'and',
  );
}

function joinWith(items: readonly string[], word: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
}
