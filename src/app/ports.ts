/**
 * What the use cases need from storage, one file per resource in ports/.
 * Implemented once, in src/storage, for SQLite and PostgreSQL alike.
 */
export * from './ports/absences.js';
export * from './ports/changes.js';
export * from './ports/events.js';
export * from './ports/github.js';
export * from './ports/insights.js';
export * from './ports/metrics.js';
export * from './ports/outbox.js';
export * from './ports/policies.js';
export * from './ports/slack.js';
export * from './ports/store.js';
export * from './ports/tokens.js';
export * from './ports/web.js';
