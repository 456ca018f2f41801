import type { ErrorObject } from 'ajv';
import { closest } from './closest.js';

/** Schema errors in words, for people: no validator is loaded here (see ajv.ts). */

export interface SchemaIssue {
  /** Path segments from the root, e.g. ['changeTypes', 'normal', 'approvals', 1, 'from']. */
  readonly segments: readonly (string | number)[];
  readonly message: string;
  /** For an unknown key: the known key it most likely misspells (the validator needs `verbose: true`). */
  readonly suggestion?: string;
}

/**
 * Turns ajv's errors into one plain sentence per problem. Drops the noise that
 * `anyOf` produces (one error per branch) in favour of its summary.
 */
export function describeAjvErrors(
  errors: readonly ErrorObject[] | null | undefined,
): SchemaIssue[] {
  if (!errors) return [];
  const kept = withoutUnfitBranches(errors);
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of kept) {
    const issue = describeOne(error, pointerToSegments(error.instancePath));
    const key = `${issue.segments.join('.')}|${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  // `aprovals` given and `approvals` missing is one mistake: the misspelling says it.
  const misspelt = new Set(
    issues
      .filter((issue) => issue.suggestion !== undefined)
      .map((issue) => [...issue.segments.slice(0, -1), issue.suggestion].join('.')),
  );
  return issues.filter(
    (issue) => !(issue.message === 'is required' && misspelt.has(issue.segments.join('.'))),
  );
}

/**
 * An `anyOf` fails with one error per branch. When exactly one branch has the
 * value's type (a date-time that may also be null, given a string), its errors
 * say what is wrong ("must be a date and time"); otherwise the value has none
 * of the shapes, and the summary says so.
 */
function withoutUnfitBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const union of errors) {
    if (union.keyword !== 'anyOf' && union.keyword !== 'oneOf') continue;
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      if (!error.schemaPath.startsWith(prefix)) continue;
      const branch = error.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const fitting = [...branches.values()].filter(
      (branch) =>
        !branch.some((e) => e.keyword === 'type' && e.instancePath === union.instancePath),
    );
    for (const branch of branches.values())
      if (fitting.length !== 1 || branch !== fitting[0]) for (const e of branch) dropped.add(e);
    if (fitting.length === 1) dropped.add(union);
  }
  return errors.filter((error) => !dropped.has(error));
}

function describeOne(error: ErrorObject, segments: (string | number)[]): SchemaIssue {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], message: 'is required' };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys(
        (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ??
          {},
      );
      const suggestion = closest(key, known);
      return {
        segments: [...segments, key],
        message: `is not a known setting here${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        ...(suggestion ? { suggestion } : {}),
      };
    }
    case 'enum':
      return {
        segments,
        message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`,
      };
    case 'const':
      return { segments, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return { segments, message: `must be ${article(String(params.type))}` };
    case 'anyOf':
    case 'oneOf':
      return { segments, message: 'has the wrong shape' };
    case 'format':
      return { segments, message: `must be ${formatName(String(params.format))}` };
    case 'minLength':
      return {
        segments,
        message:
          params.limit === 1
            ? 'must not be empty'
            : `must be at least ${String(params.limit)} characters`,
      };
    case 'maxLength':
      return { segments, message: `must be at most ${String(params.limit)} characters` };
    case 'minItems':
      return {
        segments,
        message:
          params.limit === 1
            ? 'must not be empty'
            : `must have at least ${String(params.limit)} items`,
      };
    case 'maxItems':
      return { segments, message: `must have at most ${String(params.limit)} items` };
    case 'pattern':
      return { segments, message: 'has characters or a form that is not allowed here' };
    case 'minimum':
      return { segments, message: `must be at least ${String(params.limit)}` };
    case 'maximum':
      return { segments, message: `must be at most ${String(params.limit)}` };
    case 'uniqueItems':
      return { segments, message: 'must not list the same item twice' };
    default:
      return { segments, message: error.message ?? 'is invalid' };
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: 'text',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    array: 'a list',
    null: 'null',
  };
  return type
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ');
}

function formatName(format: string): string {
  const names: Record<string, string> = {
    'date-time': 'a date and time such as 2026-12-01T10:00:00Z',
    date: 'a date such as 2026-12-01',
    uri: 'a URL',
    email: 'an e-mail address',
  };
  return names[format] ?? `a valid ${format}`;
}

function pointerToSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** `['changeTypes', 'normal', 'approvals', 1, 'from']` → `changeTypes.normal.approvals[1].from`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) path += path ? `.${segment}` : segment;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
