import type { FastifyRequest } from 'fastify';
import { authenticateToken } from '../app/tokens.js';
import { AppError } from '../domain/errors.js';
import type { Person } from '../domain/policy.js';
import type { AppContext } from '../context.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Person;
  }
}

/** Resolves the caller from `Authorization: Bearer <token>`; every /api/v1 route but the OpenAPI document needs one. */
export function bearerAuthentication(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (!header)
      throw new AppError(
        'unauthenticated',
        'sign in, or send an API token as "Authorization: Bearer <token>"',
      );
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new AppError('unauthenticated', 'the Authorization header must be "Bearer <token>"');
    request.actor = await authenticateToken(
      { policy: ctx.policy, clock: ctx.clock, repos: ctx.store.read },
      match[1]!,
    );
  };
}

export function actorOf(request: FastifyRequest): Person {
  if (!request.actor) throw new AppError('unauthenticated', 'not signed in');
  return request.actor;
}
