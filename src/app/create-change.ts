import type { Change } from '../domain/change.js';
import { checkContent, subjectOf, type ChangeContent } from '../domain/change-content.js';
import { invalidInput } from '../domain/errors.js';
import { meetingsFor } from '../domain/meetings.js';
import type { Person, Policy } from '../domain/policy.js';
import {
  checkStandardChange,
  getTemplate,
  prefillFromTemplate,
  refOf,
} from '../domain/standard-changes.js';
import type { NewChange } from './ports.js';
import { recordEvents, type AppDeps } from './deps.js';

export type CreateChangeInput = Omit<
  ChangeContent,
  'description' | 'services' | 'answers' | 'plannedStart' | 'plannedEnd' | 'links'
> &
  Partial<
    Pick<
      ChangeContent,
      'description' | 'services' | 'answers' | 'plannedStart' | 'plannedEnd' | 'links'
    >
  > & {
    /**
     * The standard change template it is raised from: its services when none
     * are given, and its answers wherever none is given.
     */
    readonly template?: string;
  };

export async function createChange(
  deps: AppDeps,
  actor: Person,
  input: CreateChangeInput,
): Promise<Change> {
  const template =
    input.template === undefined ? undefined : getTemplate(deps.policy, input.template);
  const { services, answers } = template
    ? prefillFromTemplate(template, input)
    : { services: input.services ?? [], answers: input.answers ?? {} };
  const content: ChangeContent = {
    title: input.title.trim(),
    description: input.description ?? '',
    type: input.type,
    services,
    answers,
    plannedStart: normaliseTime(input.plannedStart),
    plannedEnd: normaliseTime(input.plannedEnd),
    links: input.links ?? [],
  };
  const issues = checkContent(deps.policy, content);
  if (issues.length > 0) throw invalidInput(issues);
  // Its content now; who raises it is checked when it is sent for approval.
  const standard = checkStandardChange(deps.policy, content, input.template);
  const ref = standard && refOf(standard);

  const now = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    const change = await tx.changes.insert({
      ...newDraft(deps.policy, content, actor.id, now),
      ...(ref && { template: ref }),
    });
    await recordEvents(
      tx,
      deps,
      change,
      [
        {
          changeId: change.id,
          type: 'created',
          actor: actor.id,
          data: { ...content, ...(ref && { template: ref }) },
        },
      ],
      now,
    );
    return change;
  });
}

/** A new draft of this content, not yet stored. */
export function newDraft(
  policy: Policy,
  content: ChangeContent,
  requester: string | null,
  now: string,
): NewChange {
  return {
    ...content,
    requester,
    state: 'draft',
    version: 1,
    round: 0,
    requirements: [],
    meetings: meetingsFor(policy, subjectOf(content)),
    createdAt: now,
    updatedAt: now,
    submittedAt: null,
    requestedAt: null,
  };
}

/** Stores instants in one canonical form (UTC, milliseconds) so they sort and compare as text. */
export function normaliseTime(value: string | null | undefined): string | null {
  return value ? new Date(value).toISOString() : null;
}
