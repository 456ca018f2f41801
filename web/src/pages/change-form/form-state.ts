import type { AnswerValue, Change, PolicyField, PolicyInfo } from '../../api/types.js';
import { fromLocalInput, toLocalInput } from '../../lib/format.js';
import type { ChangeContent, Issue } from '../../lib/policy.js';

/** What the inputs hold: text as typed, so a half-typed number or URL can be shown with its problem. */
export interface FormState {
  title: string;
  description: string;
  type: string;
  services: string[];
  answers: Record<string, string | boolean | undefined>;
  plannedStart: string;
  plannedEnd: string;
  links: { title: string; url: string }[];
  /** The standard change template it starts from (`''`: none). */
  template: string;
}

export function initialState(policy: PolicyInfo, existing?: Change): FormState {
  if (!existing)
    return {
      title: '',
      description: '',
      type:
        policy.changeTypes.find((t) => t.id === 'normal')?.id ?? policy.changeTypes[0]?.id ?? '',
      services: [],
      answers: {},
      plannedStart: '',
      plannedEnd: '',
      links: [],
      template: '',
    };
  return {
    title: existing.title,
    description: existing.description,
    type: existing.type,
    services: [...existing.services],
    answers: Object.fromEntries(
      Object.entries(existing.answers).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
    ),
    plannedStart: toLocalInput(existing.plannedStart),
    plannedEnd: toLocalInput(existing.plannedEnd),
    links: existing.links.map((l) => ({ ...l })),
    template: existing.template?.id ?? '',
  };
}

function answerValue(
  field: PolicyField,
  raw: string | boolean | undefined,
): AnswerValue | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'boolean') return raw;
  if (raw.trim() === '') return undefined;
  if (field.type === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  return raw;
}

/** The change the inputs describe, as the API and the shared field rules take it. */
export function toContent(policy: PolicyInfo, state: FormState): ChangeContent {
  const answers: Record<string, AnswerValue> = {};
  for (const field of policy.fields) {
    const value = answerValue(field, state.answers[field.id]);
    if (value !== undefined) answers[field.id] = value;
  }
  return {
    title: state.title,
    description: state.description,
    type: state.type,
    services: state.services,
    answers,
    plannedStart: fromLocalInput(state.plannedStart),
    plannedEnd: fromLocalInput(state.plannedEnd),
    links: state.links.filter((l) => l.title.trim() || l.url.trim()),
  };
}

/** Links are checked by the API's schema; the same rules here. */
export function linkIssues(state: FormState): Issue[] {
  const issues: Issue[] = [];
  state.links.forEach((link, i) => {
    if (!link.title.trim() && !link.url.trim()) return;
    if (!link.title.trim())
      issues.push({ path: `links[${i}].title`, message: 'give the link a title' });
    if (!/^https?:\/\/[^\s]+$/.test(link.url.trim()))
      issues.push({ path: `links[${i}].url`, message: 'must be an http(s) URL' });
  });
  return issues;
}

/** `services[0]` → `services`, `answers.risk` stays: the input an issue belongs to. */
export function inputOf(path: string): string {
  return path.startsWith('services') ? 'services' : path;
}

export function inputId(path: string): string {
  return `f-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;
}

/** How an issue's input is named in the summary of what to fix. */
export function labelFor(policy: PolicyInfo, path: string): string {
  const field = policy.fields.find((f) => `answers.${f.id}` === path);
  if (field) return field.label;
  const names: Record<string, string> = {
    title: 'Title',
    description: 'Description',
    type: 'Type',
    template: 'Standard change',
    services: 'Services',
    plannedStart: 'Planned start',
    plannedEnd: 'Planned end',
  };
  const link = /^links\[(\d+)\]\.(title|url)$/.exec(path);
  if (link) return `Link ${Number(link[1]) + 1} ${link[2] === 'url' ? 'URL' : 'title'}`;
  return names[inputOf(path)] ?? path;
}

export function describeApprovals(type: PolicyInfo['changeTypes'][number]): string {
  if (type.approvals.length === 0) return 'Pre-approved: approved when submitted';
  return `Needs ${type.approvals
    .map((a) => {
      const from = a.from === 'service-approvers' ? 'each service’s approvers' : a.from;
      const when = a.when
        ? ` when ${Object.entries(a.when)
            .map(([k, v]) => `${k} is ${Array.isArray(v) ? v.join(' or ') : String(v)}`)
            .join(' and ')}`
        : '';
      return `${a.count > 1 ? `${a.count} from ` : ''}${from}${when}`;
    })
    .join(', ')}`;
}
