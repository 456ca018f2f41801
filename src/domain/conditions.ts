import type { ChangeSubject } from './change.js';
import type { Condition, ConditionValue } from './policy.js';

/** True when every key of the condition matches the change (see Condition). */
export function matchesCondition(
  condition: Condition | undefined,
  subject: ChangeSubject,
): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([key, expected]) => {
    const accepted: readonly ConditionValue[] = Array.isArray(expected)
      ? expected
      : [expected as ConditionValue];
    switch (key) {
      case 'type':
        return accepted.includes(subject.type);
      case 'service':
        return subject.services.some((service) => accepted.includes(service));
      default: {
        const answer = subject.answers[key];
        return answer !== undefined && accepted.includes(answer);
      }
    }
  });
}
