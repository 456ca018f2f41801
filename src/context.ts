import type { AppDeps } from './app/deps.js';
import type { EventSubscriber, Store } from './app/ports.js';
import type { Deliverer } from './notifications/deliverer.js';
import { Dispatcher } from './notifications/dispatcher.js';
import { githubStatusDeliverer } from './integrations/github/status-deliverer.js';
import { githubStatusSubscriber } from './integrations/github/status-subscriber.js';
import type { Config } from './config/config.js';
import { StartupError } from './config/startup-error.js';
import type { Policy } from './domain/policy.js';
import { formatProblem, loadPolicyFile, type PolicyProblem } from './policy/load.js';
import { systemClock, type Clock } from './shared/clock.js';
import {
  createStore,
  migrateToLatest,
  openDatabase,
  type DialectName,
} from './storage/database.js';

/** Everything a running Changeboard is made of. Built once, from config, by the server, the CLI and the tests. */
export interface AppContext extends AppDeps {
  readonly config: Config;
  readonly dialect: DialectName;
  readonly policySource: string;
  readonly policyWarnings: readonly PolicyProblem[];
  readonly subscribers: readonly EventSubscriber[];
  /** Delivers the outbox; `changeboard serve` starts it, tests drive it with runOnce(). */
  readonly dispatcher: Dispatcher;
  /** Stops the dispatcher, then closes the database. */
  close(): Promise<void>;
}

export interface ContextOverrides {
  readonly clock?: Clock;
  /** Dispatcher tuning for tests (e.g. a short lease to test take-over). */
  readonly dispatcher?: {
    leaseMs?: number;
    maxAttempts?: number;
    backoff?: { baseMs: number; maxMs: number };
  };
}

export async function loadPolicyOrThrow(
  config: Config,
): Promise<{ policy: Policy; source: string; warnings: readonly PolicyProblem[] }> {
  const result = await loadPolicyFile(config.policyFile, config.env);
  if (!result.ok) {
    throw new StartupError(
      `the policy ${config.policyFile} has ${result.problems.filter((p) => p.severity === 'error').length} problem(s)`,
      result.problems.map((p) => formatProblem(p, config.policyFile)),
    );
  }
  return { policy: result.policy, source: result.source, warnings: result.warnings };
}

export async function createContext(
  config: Config,
  overrides: ContextOverrides = {},
): Promise<AppContext> {
  const { policy, source, warnings } = await loadPolicyOrThrow(config);
  const database = openDatabase(config.database);
  const store: Store = createStore(database);
  const clock = overrides.clock ?? systemClock;
  try {
    await migrateToLatest(database);
    await store.read.policies.remember({ hash: policy.hash, source }, clock.now().toISOString());
  } catch (error) {
    await store.close();
    throw error;
  }
  const deliverers: Deliverer[] = [
    githubStatusDeliverer({
      apiUrl: config.githubApiUrl,
      token: config.githubToken,
      publicUrl: config.publicUrl,
      changes: store.read.changes,
      clock,
    }),
  ];
  const dispatcher = new Dispatcher({ store, clock, deliverers, ...overrides.dispatcher });
  const subscribers: EventSubscriber[] = [
    githubStatusSubscriber({
      publicUrl: config.publicUrl,
      tokenConfigured: config.githubToken !== undefined,
    }),
    // Committed outbox rows are delivered at once by this process's dispatcher (others poll).
    { onEvents: () => Promise.resolve(), afterCommit: () => dispatcher.wake() },
  ];
  return {
    config,
    dialect: database.dialect,
    policy,
    policySource: source,
    policyWarnings: warnings,
    clock,
    store,
    subscribers,
    dispatcher,
    async close() {
      await dispatcher.stop();
      await store.close();
    },
  };
}
