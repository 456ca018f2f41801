import type { ErrorIssue } from './types.js';

/** An error answer of the API: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: readonly ErrorIssue[];

  constructor(status: number, code: string, message: string, details: readonly ErrorIssue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | undefined;

/** The session's CSRF token (from GET /api/v1/session), sent with every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function whenUnauthenticated(callback: () => void): void {
  onUnauthenticated = callback;
}

interface ErrorShape {
  error?: { code?: string; message?: string; details?: ErrorIssue[] };
}

/** The one way the app talks to the server: the public API under /api/v1, with the session cookie. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(
      0,
      'network',
      'Changeboard cannot be reached. Check your connection and try again.',
    );
  }
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const error = (json as ErrorShape | undefined)?.error;
    if (response.status === 401 && path !== '/session') onUnauthenticated?.();
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `The server answered ${response.status}.`,
      error?.details ?? [],
    );
  }
  return json as T;
}

/** Query strings without empty values. */
export function query(
  params: Record<string, string | number | boolean | undefined | null>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
