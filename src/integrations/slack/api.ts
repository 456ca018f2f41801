import type { WebAPICallError, WebClient } from '@slack/web-api';
import type { SlackConfig } from '../../config/config.js';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The Slack Web API through Slack's own SDK. Retries are the outbox's job (it
 * backs off and survives restarts), so the SDK never retries on its own and a
 * rate limit comes back as an error with its Retry-After. The SDK is loaded
 * only when SLACK_BOT_TOKEN is set: without it nothing here loads it.
 */
export async function createSlackClient(config: SlackConfig): Promise<WebClient | undefined> {
  if (!config.botToken) return undefined;
  const { LogLevel, WebClient } = await import('@slack/web-api');
  return new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: REQUEST_TIMEOUT_MS,
    logLevel: LogLevel.ERROR,
  });
}

/** What a failed Slack call means: Slack's error code (`channel_not_found`), and whether a retry can help. */
export interface SlackFailure {
  readonly error: string;
  readonly permanent: boolean;
  readonly retryAfterMs?: number;
}

/** Errors no retry mends: the token, the scopes, the channel or the user are wrong. */
const PERMANENT = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'users_not_found',
  'user_not_found',
  'cannot_dm_bot',
  'invalid_blocks',
  'msg_too_long',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
]);

/** The SDK's ErrorCode values, spelled out so that reading an error does not load the SDK. */
const ErrorCode = {
  HTTPError: 'slack_webapi_http_error',
  PlatformError: 'slack_webapi_platform_error',
  RateLimitedError: 'slack_webapi_rate_limited_error',
} as const satisfies Record<string, `${WebAPICallError['code']}`>;

export function slackFailure(error: unknown): SlackFailure {
  const e = error as { code?: unknown; message?: string };
  if (e.code === ErrorCode.PlatformError) {
    const code = (e as { data?: { error?: unknown } }).data?.error;
    const text = typeof code === 'string' ? code : 'unknown_error';
    return { error: text, permanent: PERMANENT.has(text) };
  }
  if (e.code === ErrorCode.RateLimitedError)
    return {
      error: 'ratelimited',
      permanent: false,
      retryAfterMs: (e as { retryAfter: number }).retryAfter * 1000,
    };
  if (e.code === ErrorCode.HTTPError) {
    const status = (e as { statusCode: number }).statusCode;
    // 408: the request timed out on the way; any other 4xx will not mend itself.
    return { error: `HTTP ${status}`, permanent: status < 500 && status !== 408 };
  }
  // The request never got an answer (a timeout, a refused connection): try again later.
  return { error: e.message ?? String(error), permanent: false };
}
