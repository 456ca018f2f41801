import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, invalidInput, type ErrorCode, type Issue } from '../domain/errors.js';
import { describeAjvErrors, formatPath } from '../shared/schema-issues.js';
import { findTextProblems } from '../shared/text.js';
import { ERROR_STATUS } from './error-status.js';

interface ErrorPayload {
  error: { code: string; message: string; details: Issue[] };
}

function payload(code: string, message: string, details: readonly Issue[] = []): ErrorPayload {
  return { error: { code, message, details: [...details] } };
}

// Fastify's own errors for bad requests, mapped to our codes.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_input',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
};

/** Every error leaves as `{ error: { code, message, details } }`; bad input is never a 500. */
export function handleError(
  error: FastifyError | AppError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error instanceof AppError) {
    void reply
      .status(ERROR_STATUS[error.code])
      .send(payload(error.code, error.message, error.details));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const where = fastifyError.validationContext;
    const prefix =
      where === 'body' ? [] : [where === 'querystring' ? 'query' : (where ?? 'request')];
    const details = describeAjvErrors(fastifyError.validation as never).map((issue) => ({
      path: formatPath([...prefix, ...issue.segments]) || (where ?? 'body'),
      message: issue.message,
    }));
    const summary =
      details.length === 1
        ? `${details[0]!.path}: ${details[0]!.message}`
        : `${details.length} problems with the request`;
    void reply.status(400).send(payload('invalid_input', summary, details));
    return;
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) {
    void reply.status(ERROR_STATUS[mapped]).send(payload(mapped, fastifyError.message));
    return;
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    void reply
      .status(status)
      .send(payload(status === 404 ? 'not_found' : 'invalid_input', fastifyError.message));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply
    .status(500)
    .send(payload('internal', 'something went wrong on our side; the error was logged'));
}

export function malformedJson(reason: string): AppError {
  return new AppError('malformed_json', `the body is not valid JSON: ${reason}`);
}

/**
 * The one rule for text (shared/text.ts), applied to everything a request
 * carries before any route sees it: the body, the query string and the path.
 * Raw bodies (the GitHub webhook's bytes) are checked where they are parsed.
 */
export function refuseUnacceptableText(request: FastifyRequest): AppError | undefined {
  const issues = [
    ...findTextProblems(request.body),
    ...findTextProblems(request.query, ['query']),
    ...findTextProblems(request.params, ['path']),
  ];
  if (issues.length === 0) return undefined;
  return invalidInput(
    issues.map((issue) => ({
      path: formatPath(issue.segments) || 'body',
      message: issue.message,
    })),
  );
}
