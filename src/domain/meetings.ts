import type { ChangeSubject } from './change.js';
import { matchesCondition } from './conditions.js';
import type { Policy } from './policy.js';

/** Names of the meetings that still want to discuss this change; empty when it is decided asynchronously. */
export function meetingsFor(policy: Policy, subject: ChangeSubject): string[] {
  return policy.meetings
    .filter((meeting) => matchesCondition(meeting.when, subject))
    .map((meeting) => meeting.name);
}
