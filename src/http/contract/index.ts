/**
 * The API contract, declared once: Fastify validates requests and serialises
 * responses with these, /api/v1/openapi.json publishes them, and the web app and
 * the CLI take their types from here (and nothing else of the server's HTTP layer).
 * One file per resource.
 */
export * from './calendar.js';
export * from './changes.js';
export * from './clock.js';
export * from './common.js';
export * from './demo.js';
export * from './events.js';
export * from './gate.js';
export * from './github.js';
export * from './insights.js';
export * from './meetings.js';
export * from './outbox.js';
export * from './people.js';
export * from './policy.js';
export * from './session.js';
