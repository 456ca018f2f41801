/**
 * Every error a user can see has one of these stable codes. The HTTP layer maps
 * each to a status in one table (src/http/error-status.ts), and docs/errors.md
 * describes each; a test keeps the three in step.
 */
export const ERROR_CODES = [
  'invalid_input',
  'malformed_json',
  'unauthenticated',
  'forbidden',
  'csrf_rejected',
  'self_approval',
  'not_found',
  'invalid_state',
  'stale_version',
  'already_decided',
  'already_claimed',
  'already_reviewed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'answers_incomplete',
  'change_frozen',
  'unsatisfiable_requirement',
  'review_required',
  'standard_template_required',
  'unknown_template',
  'template_not_standard',
  'template_service_not_covered',
  'template_answer_locked',
  'template_requester_not_allowed',
  'policy_invalid',
  'integration_not_configured',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem with the input, located by a dotted path such as `answers.testResults`. */
export interface Issue {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly Issue[];

  constructor(
    code: ErrorCode,
    message: string,
    details: readonly Issue[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function invalidInput(issues: readonly Issue[], message?: string): AppError {
  const summary =
    message ??
    (issues.length === 1
      ? `${issues[0]!.path}: ${issues[0]!.message}`
      : `${issues.length} problems with the input`);
  return new AppError('invalid_input', summary, issues);
}
