import { adoptPolicyFile, syncPolicy } from './app/apply-policy.js';
import { insightsWarmer } from './app/insights.js';
import { ChangeCache } from './app/change-cache.js';
import { PolicyHolder } from './app/policy-holder.js';
import { openPostgresChannel } from './storage/postgres-channel.js';
import { CredentialCache } from './app/credential-cache.js';
import { PresenceCache } from './app/presence-cache.js';
import type { AppDeps } from './app/deps.js';
import { liveUpdatesSubscriber, type LiveHub } from './app/live-updates.js';
import { countingLiveClients, metricsSubscriber } from './app/metrics.js';
import { checkDatabase } from './app/readiness.js';
import { createPrometheusMetrics, type PrometheusMetrics } from './metrics/prometheus.js';
import type { ApiToken, EventSubscriber, Store, WebSession } from './app/ports.js';
import type { Deliverer } from './notifications/deliverer.js';
import nodemailer from 'nodemailer';
import { DemoInbox } from './notifications/demo-inbox.js';
import { chatDeliverer } from './notifications/channels/chat.js';
import { emailDeliverer } from './notifications/channels/email.js';
import { webhookDeliverer } from './notifications/channels/webhook.js';
import { Dispatcher, type DispatcherOptions } from './notifications/dispatcher.js';
import { scheduledWork } from './notifications/scheduled-work.js';
import { agendaScheduler } from './notifications/agendas.js';
import { nudgeScheduler } from './notifications/reminders.js';
import { reviewReminderScheduler } from './notifications/review-reminders.js';
import { endAbsencesDue } from './app/absences.js';
import { notificationSubscriber } from './notifications/subscriber.js';
import { createOutboundClient } from './shared/outbound-http.js';
import { githubStatusDeliverer } from './integrations/github/status-deliverer.js';
import { githubStatusSubscriber } from './integrations/github/status-subscriber.js';
import { createSlackClient } from './integrations/slack/api.js';
import { slackAppDeliverer } from './integrations/slack/deliverer.js';
import { SlackMessenger } from './integrations/slack/messenger.js';
import { slackSubscriber } from './integrations/slack/subscriber.js';
import { createOidcClient, type OidcClient } from './integrations/oidc.js';
import type { TeamsBot } from './integrations/teams/bot.js';
import { loadTeamsBot, teamsBotSubscriber } from './integrations/teams/setup.js';
import { teamsRepository } from './storage/teams-repositories.js';
import type { Config } from './config/config.js';
import { StartupError } from './config/startup-error.js';
import type { Policy } from './domain/policy.js';
import { formatProblem, loadPolicyFile, type PolicyProblem } from './policy/load.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createInProcessHub } from './shared/in-process-hub.js';
import { createPostgresLiveHub } from './storage/postgres-live-hub.js';
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
  /** The policy in force, swapped when one is applied (`policy` reads through it). */
  readonly policies: PolicyHolder;
  /** Tells the other processes a policy was applied (PostgreSQL NOTIFY; nothing on SQLite). */
  readonly announcePolicy: (hash: string) => void;
  readonly policyWarnings: readonly PolicyProblem[];
  readonly subscribers: readonly EventSubscriber[];
  readonly emailEnabled: boolean;
  /** Demo mode without SMTP_URL: what would have been sent. */
  readonly demoInbox: DemoInbox | undefined;
  /** Delivers the outbox; `changeboard serve` starts it, tests drive it with runOnce(). */
  readonly dispatcher: Dispatcher;
  /** Live updates for open boards (server-sent events). */
  readonly live: LiveHub;
  /** The changes recent board pages showed, by version. */
  readonly changeCache: ChangeCache;
  readonly presenceCache: PresenceCache;
  /** API tokens and web sessions checked in the last few seconds. */
  readonly tokenCache: CredentialCache<ApiToken>;
  readonly sessionCache: CredentialCache<WebSession>;
  /** OpenID Connect sign-in, when configured. */
  readonly oidcClient: OidcClient | undefined;
  /** The Teams bot (Decide in Microsoft Teams), when TEAMS_APP_ID and its companions are set. */
  readonly teamsBot: TeamsBot | undefined;
  /** What /metrics shows: this app's own Prometheus registry. */
  readonly metrics: PrometheusMetrics;
  /** The Slack app's messages (posted and kept current); without SLACK_BOT_TOKEN it posts nothing. */
  readonly slack: SlackMessenger;
  /** Stops the dispatcher, then closes the database. */
  close(): Promise<void>;
}

export interface ContextOverrides {
  readonly clock?: Clock;
  /**
   * A server (`serve`) makes its policy file the policy in force, recording a
   * `policy-changed` if it differs. Other commands (`token create`, `audit
   * verify`) only read with it and never apply it.
   */
  readonly adoptPolicyFile?: boolean;
  readonly log?: DispatcherOptions['log'];
  /** How long chat and webhook receivers get to answer (default 10 s). */
  readonly outboundTimeoutMs?: number;
  /** Another fan-out for live updates (e.g. across processes); in-process by default. */
  readonly live?: LiveHub;
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
  const policies = new PolicyHolder(await loadPolicyOrThrow(config));
  // Everything below reads the policy in force through this stand-in (app/policy-holder.ts).
  const { policy } = policies;
  const database = openDatabase(config.database);
  const metrics = createPrometheusMetrics({ checkDatabase: () => checkDatabase({ store, clock }) });
  const store: Store = createStore(database, { metrics });
  const clock = overrides.clock ?? systemClock;
  try {
    await migrateToLatest(database);
    await store.direct.policies.remember(
      { hash: policy.hash, source: policies.current.source },
      clock.now().toISOString(),
    );
    if (overrides.adoptPolicyFile)
      await adoptPolicyFile({ store, clock, policies, env: config.env }, (message) =>
        overrides.log?.('warn', message, {}),
      );
  } catch (error) {
    await store.close();
    throw error;
  }
  // Demo mode without SMTP: every message goes to the demo inbox instead (a page of the web app).
  const demoInbox = config.demo && !config.smtpUrl ? new DemoInbox() : undefined;
  const emailEnabled = config.smtpUrl !== undefined || demoInbox !== undefined;
  const presenceCache = new PresenceCache(clock);
  const delivery = {
    policy,
    store,
    clock,
    publicUrl: config.publicUrl,
    inbox: demoInbox,
    http: createOutboundClient({
      allowPrivate: config.allowPrivateTargets,
      defaultTimeoutMs: overrides.outboundTimeoutMs,
    }),
  };
  const transport = config.smtpUrl
    ? nodemailer.createTransport({
        url: config.smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      })
    : demoInbox
      ? nodemailer.createTransport({ jsonTransport: true })
      : undefined;
  const slack = new SlackMessenger({
    policy,
    store,
    clock,
    publicUrl: config.publicUrl,
    // Slack's SDK is loaded only when SLACK_BOT_TOKEN is set (api.ts).
    client: await createSlackClient(config.slack),
  });
  // Microsoft's SDK is loaded only when the bot is set up (setup.ts).
  const teamsBot = await loadTeamsBot({
    policy,
    store,
    clock,
    // Decisions from Teams notify like any other: the subscribers are made below.
    get subscribers() {
      return subscribers;
    },
    publicUrl: config.publicUrl,
    config: config.teams,
    teams: teamsRepository(database.db),
    log: overrides.log,
  });
  const deliverers: Deliverer[] = [
    ...(teamsBot ? [teamsBot.deliverer()] : []),
    slackAppDeliverer(slack),
    chatDeliverer('teams', { ...delivery, presenceCache }),
    chatDeliverer('slack', { ...delivery, presenceCache }),
    webhookDeliverer(delivery),
    githubStatusDeliverer({
      apiUrl: config.githubApiUrl,
      token: config.githubToken,
      publicUrl: config.publicUrl,
      changes: store.read.changes,
      clock,
    }),
    emailDeliverer({
      ...delivery,
      transport,
      from: config.mailFrom,
      linkTtlMs: config.actionLinkTtlMs,
    }),
  ];
  const warmInsights = insightsWarmer({ store, policy, clock });
  const dispatcher = new Dispatcher({
    store,
    clock,
    deliverers,
    leaseMs: config.outboxLeaseMs,
    metrics,
    beforeRound: scheduledWork(
      clock,
      {
        // Absences whose end has come: the requests still open go back to their people.
        'absences ending': () =>
          endAbsencesDue({ policy, clock, store, subscribers, presenceCache }),
        reminders: nudgeScheduler({ store, policy, clock, emailEnabled, metrics }),
        // Post-implementation reviews past due: the requester, then the escalation group.
        'review reminders': reviewReminderScheduler({
          store,
          policy,
          clock,
          emailEnabled,
          metrics,
        }),
        agendas: agendaScheduler({ store, policy, clock, emailEnabled }),
        // The insights' rollup, caught up with the changes between requests.
        'the insights rollup': () => warmInsights(),
        // A policy another process applied, should its NOTIFY have been missed.
        'policy sync': () =>
          syncPolicy({ store, policies, env: config.env }, (message) =>
            overrides.log?.('warn', message, {}),
          ),
      },
      overrides.log,
    ),
    log: overrides.log,
    ...overrides.dispatcher,
  });
  // On PostgreSQL, boards on every process hear every update (LISTEN/NOTIFY).
  const postgresHub =
    !overrides.live && config.database.dialect === 'postgres'
      ? createPostgresLiveHub(config.database.location, createInProcessHub(), (message, error) =>
          overrides.log?.('warn', message, {
            error: error instanceof Error ? error.message : String(error),
          }),
        )
      : undefined;
  // Other processes apply policies too: hear of each at once (PostgreSQL), else on the next round.
  const policyChannel =
    config.database.dialect === 'postgres'
      ? openPostgresChannel(
          config.database.location,
          'changeboard_policy',
          () =>
            void syncPolicy({ store, policies, env: config.env }, (message) =>
              overrides.log?.('warn', message, {}),
            ),
          (message, error) =>
            overrides.log?.('warn', `policy: ${message}`, {
              error: error instanceof Error ? error.message : String(error),
            }),
        )
      : undefined;
  const live: LiveHub = countingLiveClients(
    overrides.live ?? postgresHub ?? createInProcessHub(),
    metrics,
  );
  const subscribers: EventSubscriber[] = [
    notificationSubscriber({
      policy,
      clock,
      emailEnabled,
      slackEnabled: config.slack.botToken !== undefined,
      demoInbox: demoInbox !== undefined,
    }),
    teamsBotSubscriber({ policy, clock, configured: teamsBot !== undefined }),
    githubStatusSubscriber({
      publicUrl: config.publicUrl,
      tokenConfigured: config.githubToken !== undefined,
    }),
    slackSubscriber({ policy, clock, botConfigured: config.slack.botToken !== undefined }),
    // Committed outbox rows are delivered at once by this process's dispatcher (others poll).
    { afterCommit: () => dispatcher.wake() },
    liveUpdatesSubscriber(live),
    metricsSubscriber(metrics),
  ];
  return {
    config,
    dialect: database.dialect,
    policy,
    policies,
    get policySource() {
      return policies.current.source;
    },
    get policyWarnings() {
      return policies.current.warnings;
    },
    announcePolicy: (hash: string) => policyChannel?.notify({ hash }),
    clock,
    store,
    subscribers,
    emailEnabled,
    demoInbox,
    dispatcher,
    live,
    changeCache: new ChangeCache(),
    presenceCache,
    tokenCache: new CredentialCache(clock),
    sessionCache: new CredentialCache(clock),
    // Discovery happens on first use, so an identity provider that is down does not stop start-up.
    oidcClient: config.oidc ? createOidcClient(config.oidc) : undefined,
    teamsBot,
    metrics,
    slack,
    async close() {
      await dispatcher.stop();
      // Slack notices and refreshes answered in the background finish before the store closes.
      await slack.idle();
      await postgresHub?.close();
      await policyChannel?.close();
      await store.close();
    },
  };
}
