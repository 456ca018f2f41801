import type {
  ApprovalRule,
  ChangeType,
  Condition,
  ConditionValue,
  Field,
  Policy,
} from './policy.js';

/**
 * Why a rule asks for an approval, as a sentence fragment to follow "because":
 * "touches Payments API", "risk is high or medium", "Normal changes need it".
 * Written when the requirement is computed and stored with it, so it keeps
 * naming the rule that applied even after the policy changes.
 */
export function describeRule(
  policy: Policy,
  changeType: ChangeType,
  rule: ApprovalRule,
  service?: string,
): string {
  const condition = rule.when && describeCondition(policy, rule.when);
  if (service !== undefined)
    return `touches ${serviceName(policy, service)}${condition ? ` and ${condition}` : ''}`;
  if (condition) return condition;
  return `${changeType.label} changes need it${changeType.distinctApprovers ? ', from different people' : ''}`;
}

/** `{ risk: [high, medium], type: normal }` → "risk is high or medium and type is Normal". */
export function describeCondition(policy: Policy, condition: Condition): string {
  return Object.entries(condition)
    .map(([key, expected]) => {
      const values: readonly ConditionValue[] = Array.isArray(expected)
        ? expected
        : [expected as ConditionValue];
      switch (key) {
        case 'type':
          return `type is ${anyOf(values.map((v) => policy.changeTypes.get(String(v))?.label ?? String(v)))}`;
        case 'service':
          return `touches ${anyOf(values.map((v) => serviceName(policy, String(v))))}`;
        default:
          return `${fieldName(
            policy.fields.find((f) => f.id === key),
            key,
          )} is ${anyOf(values.map(formatValue))}`;
      }
    })
    .join(' and ');
}

/** What the service is called when `id` still names one (a stored requirement may outlive it). */
export function serviceName(policy: Policy, id: string): string {
  return policy.services.get(id)?.name ?? id;
}

/**
 * A field as a condition names it: its label with a lower-case first letter
 * ("Risk" → "risk"), but its id when the label is a question ("Has this change
 * been tested?" would not read as a subject) and acronyms left alone ("SLA tier").
 */
function fieldName(field: Field | undefined, id: string): string {
  const label = field?.label.trim();
  if (!label || label.endsWith('?')) return id;
  if (/^\p{Lu}\p{Lu}/u.test(label)) return label;
  return `${label.charAt(0).toLowerCase()}${label.slice(1)}`;
}

function formatValue(value: ConditionValue): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** "a", "a or b", "a, b or c". */
function anyOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
