import type { FastifyRequest } from 'fastify';

/** A request's URL as logged: secrets that travel in links (calendar feeds, action links) left out. */
export function redactUrl(url: string): string {
  return url
    .replace(/([?&]feed=)[^&#]*/g, '$1[redacted]')
    .replace(/(\/actions\/)[^/?#]+/g, '$1[redacted]');
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
