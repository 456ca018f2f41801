import type { ChangeCache } from '../app/change-cache.js';
import type { CredentialCache } from '../app/credential-cache.js';
import type { AppDeps } from '../app/deps.js';
import type { LiveHub } from '../app/live-updates.js';
import type { ApiToken, WebSession } from '../app/ports.js';
import type { SignInDeps } from '../app/sign-in.js';
import type { Config } from '../config/config.js';
import type { OidcClient } from '../integrations/oidc.js';
import type { DemoInbox } from '../notifications/demo-inbox.js';

/**
 * What each group of routes needs, and nothing more. The composition root
 * (src/context.ts) builds one object that has all of it; no route sees the rest.
 */

/** The settings a route may read. */
interface Settings<K extends keyof Config> {
  readonly config: Pick<Config, K>;
}

export type PolicyRouteDeps = Pick<AppDeps, 'policy' | 'clock'>;

export type PeopleRouteDeps = AppDeps;

export type MeetingRouteDeps = AppDeps & Settings<'publicUrl'> & { readonly emailEnabled: boolean };

export type ChangeRouteDeps = AppDeps &
  Settings<'publicUrl'> & { readonly changeCache: ChangeCache };

export type CalendarRouteDeps = ChangeRouteDeps & AuthenticationDeps;

export type GateRouteDeps = AppDeps & Settings<'publicUrl'>;

export type ActionLinkRouteDeps = AppDeps & Settings<'publicUrl'> & AuthenticationDeps;

export type GithubRouteDeps = AppDeps & Settings<'githubWebhookSecret'>;

export type OutboxRouteDeps = AppDeps & { readonly dispatcher: { wake(): void } };

export interface LiveRouteDeps {
  readonly live: LiveHub;
}

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
  MeetingRouteDeps &
  ActionLinkRouteDeps &
  GithubRouteDeps &
  OutboxRouteDeps &
  LiveRouteDeps &
  SignInRouteDeps &
  DemoRouteDeps &
  AuthenticationDeps &
  Settings<'publicUrl' | 'trustProxy' | 'githubWebhookSecret'>;
