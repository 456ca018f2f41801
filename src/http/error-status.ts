import type { ErrorCode } from '../domain/errors.js';

/** The one table from error code to HTTP status. docs/errors.md describes each; a test keeps them in step. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  malformed_json: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_rejected: 403,
  self_approval: 403,
  not_found: 404,
  invalid_state: 409,
  stale_version: 409,
  already_decided: 409,
  already_claimed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  answers_incomplete: 422,
  change_frozen: 422,
  unsatisfiable_requirement: 422,
  policy_invalid: 500,
  integration_not_configured: 503,
  internal: 500,
};
