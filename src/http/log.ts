import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Query parameters that carry secrets: a calendar feed's, an OpenID Connect authorisation code. */
const SECRET_PARAMETERS = new Set(['feed', 'code']);

/** A request's URL as logged: secrets that travel in links (calendar feeds, action and external links, sign-in callbacks) left out. */
export function redactUrl(url: string): string {
  return url
    .replace(/([?&])([^=&#]*)=([^&#]*)/g, (parameter, separator: string, name: string) =>
      SECRET_PARAMETERS.has(decodedName(name)) ? `${separator}${name}=[redacted]` : parameter,
    )
    .replace(/(\/(?:actions|external)\/)[^/?#]+/g, '$1[redacted]');
}

/** As the server reads it: `fe%65d` is `feed` too. */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** Fastify's request serializer, with the URL redacted. */
export const logSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket.remotePort,
  }),
};

/**
 * Request logging for a terminal: one line per answered request (method, URL
 * with its secrets left out, status, time) instead of Fastify's two records.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = `${request.method} ${redactUrl(request.url)} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`;
    if (error) reply.log.error({ err: error }, line);
    else reply.log.info(line);
  }
}
