import type { PolicyFile } from './schema.js';
import type { Segments } from './checks/helpers.js';
import {
  checkChangeTypes,
  checkChannels,
  checkFieldConditions,
  checkFields,
  checkFreezes,
  checkGroups,
  checkMeetings,
  checkNotifications,
  checkPeople,
  checkServices,
  type PolicyCheck,
} from './checks/sections.js';
import { checkStandardChanges } from './checks/standard-changes.js';

export type { Segments };

export interface RawProblem {
  readonly segments: Segments;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/**
 * Everything the schema cannot say: references between sections, durations,
 * time zones, and combinations that make no sense. Runs on a file that already
 * has the schema's shape; each section has its own check (checks/sections.ts),
 * run in the file's order.
 */
export function checkPolicyFile(
  file: PolicyFile,
  env: Readonly<Record<string, string | undefined>>,
): RawProblem[] {
  const problems: RawProblem[] = [];
  const check: PolicyCheck = {
    file,
    env,
    error: (segments, message) => problems.push({ segments, message, severity: 'error' }),
    warn: (segments, message) => problems.push({ segments, message, severity: 'warning' }),
    people: new Map(),
    groups: new Set(Object.keys(file.groups)),
    channels: new Set(Object.keys(file.channels ?? {})),
    changeTypes: new Set(Object.keys(file.changeTypes)),
    services: new Set(Object.keys(file.services)),
    fields: new Map(),
    groupSize: (group) => new Set(file.groups[group] ?? []).size,
  };
  for (const section of [
    checkPeople,
    checkGroups,
    checkChannels,
    checkFields,
    checkFieldConditions,
    checkServices,
    checkChangeTypes,
    checkStandardChanges,
    checkNotifications,
    checkFreezes,
    checkMeetings,
  ])
    section(check);
  return problems;
}
