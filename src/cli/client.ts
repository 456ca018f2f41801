/** The CLI's HTTP client: the same public API a script would use. */

export interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: { path: string; message: string }[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.error?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 30_000,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#send(method, path, 'application/json', body);
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new Error(
        `${this.baseUrl} answered HTTP ${response.status} with something that is not JSON; is that a Changeboard server?`,
      );
    }
    if (response.status === 401) throw this.#unauthenticated(parsed ?? {});
    if (!response.ok) throw new ApiError(response.status, parsed ?? {});
    return parsed as T;
  }

  /** A GET whose answer is a document (`accept`), not JSON; errors still come as JSON. */
  async getText(path: string, accept: string): Promise<string> {
    const response = await this.#send('GET', path, accept);
    const text = await response.text();
    if (response.ok) return text;
    let parsed: ApiErrorBody = {};
    try {
      parsed = JSON.parse(text) as ApiErrorBody;
    } catch {
      // Not a Changeboard error body: the status says enough.
    }
    if (response.status === 401) throw this.#unauthenticated(parsed);
    throw new ApiError(response.status, parsed);
  }

  async #send(method: string, path: string, accept: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/+$/, '')}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string; errors?: { code?: string }[] } })
        .cause;
      const reason = cause?.code ?? cause?.errors?.[0]?.code ?? (error as Error).message;
      throw new Error(
        `cannot reach Changeboard at ${this.baseUrl} (${reason}); is it running? Set --url or CHANGEBOARD_URL`,
      );
    }
    return response;
  }

  /** The server speaks of headers and cookies; on the command line, the token comes from here. */
  #unauthenticated(body: ApiErrorBody): ApiError {
    const message = this.token
      ? `the API token was refused (${body.error?.message ?? 'unknown'}); check CHANGEBOARD_TOKEN or --token`
      : 'no API token: set CHANGEBOARD_TOKEN or pass --token <token> (an admin makes one with `changeboard token create <person>`)';
    return new ApiError(401, { error: { ...body.error, code: 'unauthenticated', message } });
  }
}
