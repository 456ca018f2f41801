import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { parseDuration } from '../shared/duration.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../storage/database-url.js';

/** Everything Changeboard reads from its environment, checked once at start-up. The only module that reads process.env. */
export interface Config {
  readonly policyFile: string;
  /** True when no policy file was found and the bundled example is used. */
  readonly demo: boolean;
  readonly database: DatabaseTarget;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly logLevel: string;
  /** LOG_FORMAT; unset, the server picks text on a terminal and JSON otherwise. */
  readonly logFormat: 'json' | 'text' | undefined;
  readonly allowPrivateTargets: boolean;
  /**
   * Which proxies in front of Changeboard to believe about the client's address
   * (X-Forwarded-For): none, all, the nearest n hops, or these addresses and
   * networks. Rate limits count per client, so behind a proxy this must be set.
   */
  readonly trustProxy: boolean | number | readonly string[];
  readonly smtpUrl?: string;
  /** The From: of every e-mail. */
  readonly mailFrom: string;
  /** How long approve/reject links in e-mails work. */
  readonly actionLinkTtlMs: number;
  /** How long a delivery claimed by a process stays its own; after that another process takes it over. */
  readonly outboxLeaseMs: number;
  readonly githubWebhookSecret?: string;
  readonly githubToken?: string;
  readonly githubApiUrl: string;
  /** OpenID Connect sign-in, when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set. */
  readonly oidc?: OidcConfig;
  /** When set, GET /metrics wants `Authorization: Bearer <token>`; unset, it is open like /healthz. */
  readonly metricsToken?: string;
  /** The Slack app (Decide in Slack): SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL. */
  readonly slack: SlackConfig;
  /** The Teams bot (Decide in Microsoft Teams): TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID, … */
  readonly teams: TeamsConfig;
  /** The environment, for `${VAR}` references in the policy's channels. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface TeamsConfig {
  /** The bot's Microsoft App ID; unset, the bot is off and its endpoint answers 404. */
  readonly appId?: string;
  readonly appPassword?: string;
  readonly tenantId?: string;
  /** Entra ID's authority (TEAMS_AUTHORITY): the signing keys of incoming tokens live under it. */
  readonly authority: string;
  /** Where the bot gets its own token for outgoing calls (TEAMS_TOKEN_URL; default under the authority). */
  readonly tokenUrl: string;
  /** The Bot Connector for a conversation nobody installed the bot in yet (TEAMS_SERVICE_URL). */
  readonly serviceUrl: string;
}

export interface SlackConfig {
  /** The bot's `xoxb-` token; unset, nothing is posted to Slack by the app. */
  readonly botToken?: string;
  /** Signs Slack's interaction requests; unset, the interactions endpoint refuses everything. */
  readonly signingSecret?: string;
  /** Slack's Web API base, ending in `/` (tests point it at a local fake). */
  readonly apiUrl: string;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export const BUNDLED_POLICY = fileURLToPath(
  new URL('../../examples/changeboard.yaml', import.meta.url),
);

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export interface ConfigOverrides {
  readonly policyFile?: string;
  readonly port?: string;
  readonly databaseUrl?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function readConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: ConfigOverrides = {},
): ConfigResult {
  const problems: string[] = [];
  const explicitPolicy = overrides.policyFile ?? env.CHANGEBOARD_CONFIG;
  let policyFile: string;
  let demo = false;
  if (explicitPolicy) {
    policyFile = resolve(explicitPolicy);
  } else if (existsSync(resolve('changeboard.yaml'))) {
    policyFile = resolve('changeboard.yaml');
  } else {
    policyFile = BUNDLED_POLICY;
    demo = true;
  }

  const databaseUrl = overrides.databaseUrl ?? env.DATABASE_URL ?? 'sqlite:./data/changeboard.db';
  const database = parseDatabaseUrl(databaseUrl);
  if (typeof database === 'string') problems.push(`DATABASE_URL: ${database}`);

  const portText = overrides.port ?? env.PORT ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    problems.push(`PORT: "${portText}" is not a port number (0-65535)`);

  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!URL.canParse(publicUrl) || !/^https?:/.test(publicUrl))
    problems.push(`PUBLIC_URL: "${publicUrl}" is not an http(s) URL`);

  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}`);

  const logFormat = env.LOG_FORMAT;
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'text')
    problems.push('LOG_FORMAT: must be text or json');

  const allowPrivate = env.ALLOW_PRIVATE_TARGETS ?? 'false';
  if (!['true', 'false'].includes(allowPrivate))
    problems.push('ALLOW_PRIVATE_TARGETS: must be true or false');

  const trustProxy = parseTrustProxy(env.TRUST_PROXY ?? 'false');
  if (trustProxy === undefined)
    problems.push(
      'TRUST_PROXY: must be true, false, a number of proxy hops, or a comma-separated list of addresses and networks (10.0.0.0/8, loopback)',
    );

  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl))
    problems.push('SMTP_URL: must start with smtp:// or smtps://');

  const mailFrom =
    env.MAIL_FROM ??
    `Changeboard <changeboard@${URL.canParse(publicUrl) ? new URL(publicUrl).hostname : 'localhost'}>`;
  const linkTtlText = env.ACTION_LINK_TTL ?? '72h';
  const actionLinkTtlMs = parseDuration(linkTtlText);
  if (actionLinkTtlMs === undefined)
    problems.push(`ACTION_LINK_TTL: "${linkTtlText}" is not a duration such as 72h or 3d`);

  const leaseText = env.OUTBOX_LEASE ?? '60s';
  const outboxLeaseMs = parseDuration(leaseText);
  if (outboxLeaseMs === undefined)
    problems.push(`OUTBOX_LEASE: "${leaseText}" is not a duration such as 60s or 2m`);

  const githubApiUrl = (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  if (!URL.canParse(githubApiUrl)) problems.push(`GITHUB_API_URL: "${githubApiUrl}" is not a URL`);

  const oidcSettings = {
    OIDC_ISSUER: env.OIDC_ISSUER || undefined,
    OIDC_CLIENT_ID: env.OIDC_CLIENT_ID || undefined,
    OIDC_CLIENT_SECRET: env.OIDC_CLIENT_SECRET || undefined,
  };
  const oidcSet = Object.entries(oidcSettings).filter(([, value]) => value !== undefined);
  let oidc: OidcConfig | undefined;
  if (oidcSet.length > 0 && oidcSet.length < 3) {
    const missing = Object.keys(oidcSettings).filter(
      (key) => oidcSettings[key as keyof typeof oidcSettings] === undefined,
    );
    problems.push(
      `${missing.join(', ')}: OpenID Connect needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET`,
    );
  } else if (oidcSet.length === 3) {
    const issuer = oidcSettings.OIDC_ISSUER!;
    if (!URL.canParse(issuer) || !isAllowedIssuer(new URL(issuer)))
      problems.push(
        `OIDC_ISSUER: "${issuer}" must be an https URL (http is accepted for localhost and 127.0.0.1 only)`,
      );
    oidc = {
      issuer,
      clientId: oidcSettings.OIDC_CLIENT_ID!,
      clientSecret: oidcSettings.OIDC_CLIENT_SECRET!,
    };
  }

  const metricsToken = env.METRICS_TOKEN || undefined;
  // A header value: what a scraper's bearer_token can send, and long enough not to be guessed.
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(metricsToken))
    problems.push(
      'METRICS_TOKEN: must be at least 16 characters, printable ASCII without spaces (e.g. openssl rand -hex 32)',
    );

  const slackApiUrl = (env.SLACK_API_URL || 'https://slack.com/api/').replace(/\/*$/, '/');
  if (!URL.canParse(slackApiUrl) || !/^https?:/.test(slackApiUrl))
    problems.push(`SLACK_API_URL: "${slackApiUrl}" is not an http(s) URL`);
  const slackBotToken = env.SLACK_BOT_TOKEN || undefined;
  if (slackBotToken !== undefined && !/^xox[a-z]-[\x21-\x7e]+$/.test(slackBotToken))
    problems.push(
      'SLACK_BOT_TOKEN: must be the Bot User OAuth Token, starting with xoxb- (Slack app → OAuth & Permissions)',
    );

  const teams = readTeamsConfig(env, problems);

  if (problems.length > 0 || typeof database === 'string') return { ok: false, problems };
  return {
    ok: true,
    config: {
      policyFile,
      demo,
      database,
      host: env.HOST ?? '0.0.0.0',
      port,
      publicUrl,
      logLevel,
      logFormat: logFormat as Config['logFormat'],
      allowPrivateTargets: allowPrivate === 'true',
      trustProxy: trustProxy ?? false,
      smtpUrl,
      mailFrom,
      actionLinkTtlMs: actionLinkTtlMs ?? 0,
      outboxLeaseMs: outboxLeaseMs ?? 0,
      githubWebhookSecret: env.GITHUB_WEBHOOK_SECRET || undefined,
      githubToken: env.GITHUB_TOKEN || undefined,
      githubApiUrl,
      oidc,
      metricsToken,
      slack: {
        botToken: slackBotToken,
        signingSecret: env.SLACK_SIGNING_SECRET || undefined,
        apiUrl: slackApiUrl,
      },
      teams,
      env,
    },
  };
}

function readTeamsConfig(
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): TeamsConfig {
  const appId = env.TEAMS_APP_ID || undefined;
  const appPassword = env.TEAMS_APP_PASSWORD || undefined;
  const tenantId = env.TEAMS_TENANT_ID || undefined;
  if (appId !== undefined || appPassword !== undefined || tenantId !== undefined) {
    const missing = Object.entries({
      TEAMS_APP_ID: appId,
      TEAMS_APP_PASSWORD: appPassword,
      TEAMS_TENANT_ID: tenantId,
    }).filter(([, value]) => value === undefined);
    if (missing.length > 0)
      problems.push(
        `${missing.map(([name]) => name).join(', ')}: the Teams bot needs TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID (Azure Bot → Configuration)`,
      );
  }
  const authority = (env.TEAMS_AUTHORITY || 'https://login.microsoftonline.com').replace(
    /\/+$/,
    '',
  );
  const tokenUrl =
    env.TEAMS_TOKEN_URL || `${authority}/${tenantId ?? 'botframework.com'}/oauth2/v2.0/token`;
  const serviceUrl = (env.TEAMS_SERVICE_URL || 'https://smba.trafficmanager.net/teams/').replace(
    /\/*$/,
    '/',
  );
  for (const [name, value] of [
    ['TEAMS_AUTHORITY', authority],
    ['TEAMS_TOKEN_URL', tokenUrl],
    ['TEAMS_SERVICE_URL', serviceUrl],
  ] as const)
    if (!URL.canParse(value) || !/^https?:/.test(value))
      problems.push(`${name}: "${value}" is not an http(s) URL`);
  return { appId, appPassword, tenantId, authority, tokenUrl, serviceUrl };
}

function isAllowedIssuer(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** proxy-addr's names for address ranges, as Fastify's trustProxy accepts them. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function parseTrustProxy(text: string): boolean | number | string[] | undefined {
  const value = text.trim();
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const isRange = (entry: string) =>
    PROXY_RANGES.includes(entry) ||
    ipaddr.isValid(entry) ||
    (() => {
      try {
        ipaddr.parseCIDR(entry);
        return true;
      } catch {
        return false;
      }
    })();
  return entries.length > 0 && entries.every(isRange) ? entries : undefined;
}
