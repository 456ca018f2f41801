import type { ChangeCache } from '../app/change-cache.js';
import type { CredentialCache } from '../app/credential-cache.js';
import type { PresenceCache } from '../app/presence-cache.js';
import type { AppDeps } from '../app/deps.js';
import type { LiveHub } from '../app/live-updates.js';
import type { PolicyHolder } from '../app/policy-holder.js';
import type { ApiToken, Metrics, WebSession } from '../app/ports.js';
import type { DatabaseCheckDeps } from '../app/readiness.js';
import type { SignInDeps } from '../app/sign-in.js';
import type { Config } from '../config/config.js';
import type { OidcClient } from '../integrations/oidc.js';
import type { SlackMessenger } from '../integrations/slack/messenger.js';
import type { TeamsBot } from '../integrations/teams/bot.js';
import type { DemoInbox } from '../notifications/demo-inbox.js';

/**
 * What each group of routes needs, and nothing more. The composition root
 * (src/context.ts) builds one object that has all of it; no route sees the rest.
 */

/** The settings a route may read. */
interface Settings<K extends keyof Config> {
  readonly config: Pick<Config, K>;
}

export type PolicyRouteDeps = Pick<AppDeps, 'policy' | 'clock' | 'store'> &
  Settings<'env'> & {
    readonly policies: PolicyHolder;
    readonly announcePolicy: (hash: string) => void;
  };

export type PeopleRouteDeps = AppDeps;

export type MeetingRouteDeps = AppDeps & Settings<'publicUrl'> & { readonly emailEnabled: boolean };

export type ChangeRouteDeps = AppDeps &
  Settings<'publicUrl'> & {
    readonly changeCache: ChangeCache;
    readonly presenceCache: PresenceCache;
  };

export type CalendarRouteDeps = ChangeRouteDeps & AuthenticationDeps;

export type GateRouteDeps = AppDeps & Settings<'publicUrl'>;

export type ActionLinkRouteDeps = AppDeps & Settings<'publicUrl'> & AuthenticationDeps;

export type GithubRouteDeps = AppDeps & Settings<'githubWebhookSecret'>;

export type OutboxRouteDeps = AppDeps & { readonly dispatcher: { wake(): void } };

/** Slack's interactions: the settings, and the Slack app's messages to keep current. */
export type SlackRouteDeps = AppDeps &
  Settings<'slack' | 'publicUrl'> & {
    readonly slack: SlackMessenger;
  };

export interface LiveRouteDeps {
  readonly live: LiveHub;
}

/** /healthz, /readyz and /metrics: the database probe, and this app's metrics to count into and show. */
export type OperationsRouteDeps = DatabaseCheckDeps &
  Settings<'metricsToken'> & {
    readonly metrics: Pick<Metrics, 'httpRequest'> & {
      readonly contentType: string;
      render(): Promise<string>;
    };
  };

export type SignInRouteDeps = DemoRouteDeps & { readonly oidcClient: OidcClient | undefined };

export type SessionRouteDeps = SignInDeps & Settings<'publicUrl'>;

export type DemoRouteDeps = SignInDeps &
  Settings<'publicUrl' | 'demo'> & {
    readonly demoInbox: DemoInbox | undefined;
    readonly dispatcher: { wake(): void };
  };

/** Who is asking: tokens and session cookies, each kept a few seconds per process. */
export type AuthenticationDeps = SignInDeps &
  Settings<'publicUrl'> & {
    readonly tokenCache: CredentialCache<ApiToken>;
    readonly sessionCache: CredentialCache<WebSession>;
  };

/** Everything the server hands its routes. */
export type ServerDeps = CalendarRouteDeps &
  PolicyRouteDeps &
  MeetingRouteDeps &
  ActionLinkRouteDeps &
  GithubRouteDeps &
  SlackRouteDeps &
  OutboxRouteDeps &
  LiveRouteDeps &
  OperationsRouteDeps &
  SignInRouteDeps &
  DemoRouteDeps &
  AuthenticationDeps &
  Settings<'publicUrl' | 'trustProxy' | 'githubWebhookSecret' | 'metricsToken'> & {
    readonly teamsBot?: TeamsBot;
  };
