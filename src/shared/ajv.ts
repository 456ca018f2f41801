import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

export interface SchemaIssue {
  /** Path segments from the root, e.g. ['changeTypes', 'normal', 'approvals', 1, 'from']. */
  readonly segments: readonly (string | number)[];
  readonly message: string;
}

/**
 * Turns ajv's errors into one plain sentence per problem. Drops the noise that
 * `anyOf` produces (one error per branch) in favour of its summary.
 */
export function describeAjvErrors(
  errors: readonly ErrorObject[] | null | undefined,
): SchemaIssue[] {
  if (!errors) return [];
  const anyOfPaths = new Set(
    errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath),
  );
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const segments = pointerToSegments(error.instancePath);
    if (
      error.keyword !== 'anyOf' &&
      error.keyword !== 'oneOf' &&
      anyOfPaths.has(error.instancePath) &&
      error.schemaPath.includes('/anyOf/')
    )
      continue;
    const issue = describeOne(error, segments);
    const key = `${issue.segments.join('.')}|${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function describeOne(error: ErrorObject, segments: (string | number)[]): SchemaIssue {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], message: 'is required' };
    case 'additionalProperties':
      return {
        segments: [...segments, String(params.additionalProperty)],
        message: 'is not a known setting here',
      };
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
