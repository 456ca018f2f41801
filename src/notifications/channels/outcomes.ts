import { OutboundError, type OutboundResponse } from '../../shared/outbound-http.js';
import { parseRetryAfter } from '../../shared/retry.js';
import type { DeliveryOutcome } from '../deliverer.js';

const RETRYABLE_STATUS = new Set([408, 425, 429]);

/** What an HTTP answer means for delivery: 2xx sent; 429/5xx later (Retry-After honoured); other 4xx never. */
export function outcomeOfResponse(response: OutboundResponse, now: Date): DeliveryOutcome {
  if (response.status >= 200 && response.status < 300) return { ok: true };
  const excerpt = response.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  const reason = `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
  if (RETRYABLE_STATUS.has(response.status) || response.status >= 500) {
    return {
      ok: false,
      permanent: false,
      reason,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  return { ok: false, permanent: true, reason };
}

export function outcomeOfError(error: unknown): DeliveryOutcome {
  if (error instanceof OutboundError) {
    const permanent =
      error.code === 'blocked' || error.code === 'invalid_url' || error.code === 'too_large';
    return { ok: false, permanent, reason: error.message };
  }
  return {
    ok: false,
    permanent: false,
    reason: error instanceof Error ? error.message : String(error),
  };
}

/** A channel whose URL is not set: no retry can help. */
export function unsetChannel(target: string): DeliveryOutcome {
  return {
    ok: false,
    permanent: true,
    reason: `channel "${target}" has no URL (is its environment variable set?)`,
  };
}
