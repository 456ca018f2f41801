import type { Activity } from '@microsoft/agents-activity';
import {
  CloudAdapter,
  OutboundHostValidator,
  type AuthConfiguration,
  type AuthProvider,
  type ConnectorClient,
  type Connections,
  type HeaderPropagationCollection,
  type HttpRequestConfig,
  type HttpResponse,
} from '@microsoft/agents-hosting';
import type { TeamsConfig } from '../../config/config.js';
import type { Settings } from './setup.js';

/** Where the Bot Connector's tokens are for (the scope of every outgoing call). */
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

/** A token request that failed, with the setting most likely wrong. */
export class TeamsTokenError extends Error {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(message);
    this.name = 'TeamsTokenError';
  }
}

/** How long one call to the Bot Connector may take: a hung connector must not outlast the dispatcher's lease. */
export const CONNECTOR_TIMEOUT_MS = 10_000;

/**
 * Where the bot's token may be sent: TEAMS_SERVICE_URL's host and Microsoft's
 * Bot Connector for Teams (smba.trafficmanager.net and its regional hosts).
 * An activity naming any other serviceUrl is refused, and a card is never
 * posted there (the token would go with it).
 */
export function connectorHosts(settings: Pick<TeamsConfig, 'serviceUrl'>): OutboundHostValidator {
  return new OutboundHostValidator({
    enabled: true,
    // The SDK's own list also allows Graph, SharePoint and any Azure blob account.
    includeDefaultMicrosoftHosts: false,
    hosts: ['smba.trafficmanager.net', new URL(settings.serviceUrl).hostname],
  });
}

/** The connector client with a time limit on each of its requests. */
export function withTimeout(client: ConnectorClient): ConnectorClient {
  const http = client.httpClient;
  const request = http.request.bind(http);
  http.request = <T>(config: HttpRequestConfig): Promise<HttpResponse<T>> =>
    request<T>({
      ...config,
      signal: config.signal ?? AbortSignal.timeout(CONNECTOR_TIMEOUT_MS),
    });
  return client;
}

/** The verified claims of an incoming token, as the SDK passes them on. */
type JwtPayload = ReturnType<typeof CloudAdapter.createIdentity>;

/** The SDK's adapter, whose connector clients (a turn's replies, the member look-up) have a time limit. */
class TimedCloudAdapter extends CloudAdapter {
  protected override async createConnectorClient(
    serviceUrl: string,
    scope: string,
    identity: JwtPayload,
    headers?: HeaderPropagationCollection,
  ): Promise<ConnectorClient> {
    return withTimeout(await super.createConnectorClient(serviceUrl, scope, identity, headers));
  }

  protected override async createConnectorClientWithIdentity(
    identity: JwtPayload,
    activity: Activity,
    headers?: HeaderPropagationCollection,
  ): Promise<ConnectorClient> {
    return withTimeout(await super.createConnectorClientWithIdentity(identity, activity, headers));
  }
}

/**
 * The bot's own token for the Bot Connector: the OAuth 2.0 client-credentials
 * grant against TEAMS_TOKEN_URL, kept until five minutes before it expires.
 *
 * It stands in for the SDK's MSAL provider (the SDK's `Connections` interface
 * is made for that): MSAL insists on https and asks login.microsoftonline.com
 * about any other authority, so neither a private cloud's token endpoint nor
 * the tests' local one could be named. The request itself is the one MSAL makes.
 */
export class ClientCredentialsProvider implements AuthProvider {
  readonly #settings: Settings;
  readonly #cache = new Map<string, { token: string; until: number }>();
  readonly connectionSettings: AuthConfiguration;

  constructor(settings: Settings) {
    this.#settings = settings;
    this.connectionSettings = authConfigurationOf(settings);
  }

  async getAccessToken(
    authConfigOrScope: AuthConfiguration | string,
    scope?: string,
  ): Promise<string> {
    const wanted = typeof authConfigOrScope === 'string' ? authConfigOrScope : scope;
    const resource = wanted ?? BOT_FRAMEWORK_SCOPE;
    const cached = this.#cache.get(resource);
    if (cached && cached.until > Date.now()) return cached.token;
    const { token, expiresInS } = await requestToken(this.#settings, resource);
    this.#cache.set(resource, { token, until: Date.now() + Math.max(0, expiresInS - 300) * 1000 });
    return token;
  }

  getAgenticApplicationToken(): Promise<string> {
    return Promise.reject(new Error('agentic identities are not used by Changeboard'));
  }

  getAgenticInstanceToken(): Promise<string> {
    return Promise.reject(new Error('agentic identities are not used by Changeboard'));
  }

  getAgenticUserToken(): Promise<string> {
    return Promise.reject(new Error('agentic identities are not used by Changeboard'));
  }

  acquireTokenOnBehalfOf(): Promise<string> {
    return Promise.reject(new Error('on-behalf-of tokens are not used by Changeboard'));
  }
}

/** One client-credentials request; its failure names the setting to look at. */
export async function requestToken(
  settings: Settings,
  resource: string = BOT_FRAMEWORK_SCOPE,
): Promise<{ token: string; expiresInS: number }> {
  let response: Response;
  try {
    response = await fetch(settings.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: settings.appId,
        client_secret: settings.appPassword,
        scope: `${resource}/.default`,
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new TeamsTokenError(
      `the token endpoint ${settings.tokenUrl} did not answer: ${(error as Error).message}`,
      'TEAMS_TOKEN_URL',
    );
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Reported below: not a token answer.
  }
  if (response.ok && typeof body.access_token === 'string')
    return {
      token: body.access_token,
      expiresInS: Number(body.expires_in ?? 3600) || 3600,
    };
  const text_ = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const description = (
    text_(body.error_description) ??
    text_(body.error) ??
    `HTTP ${response.status}`
  )
    .split(/\r?\n/)[0]!
    .slice(0, 300);
  throw new TeamsTokenError(
    `the token endpoint refused the bot: ${description}`,
    settingBlamed(text_(body.error) ?? '', description, response.status),
  );
}

/** Entra ID's error codes (AADSTS…) say which of the three settings it did not accept. */
function settingBlamed(error: string, description: string, status: number): string {
  if (/AADSTS(90002|900023|90013)\b/.test(description)) return 'TEAMS_TENANT_ID';
  if (/AADSTS(700016|90014|900144)\b/.test(description) || error === 'unauthorized_client')
    return 'TEAMS_APP_ID';
  if (/AADSTS(7000215|7000222|7000218)\b/.test(description) || error === 'invalid_client')
    return 'TEAMS_APP_PASSWORD';
  return status === 404 ? 'TEAMS_TOKEN_URL' : 'TEAMS_APP_PASSWORD';
}

/** The SDK's settings for one connection: incoming tokens must be for this app, from this tenant. */
function authConfigurationOf(settings: Settings): AuthConfiguration {
  return {
    clientId: settings.appId,
    clientSecret: settings.appPassword,
    tenantId: settings.tenantId,
    // Incoming tokens' signing keys are fetched under the authority (…/{tenant}/discovery/v2.0/keys),
    // or from the Bot Framework's own for tokens it issued (iss https://api.botframework.com).
    authorityEndpoint: settings.authority,
    // Off by default in the SDK for compatibility; the issuer must be Entra ID's for the tenant or the Bot Framework.
    validateIssuer: true,
  };
}

/** Every connection is the one app: the SDK asks the connection manager for a token provider per call. */
class SingleConnection implements Connections {
  constructor(private readonly provider: ClientCredentialsProvider) {}
  getConnection = (): AuthProvider => this.provider;
  getDefaultConnection = (): AuthProvider => this.provider;
  getTokenProvider = (): AuthProvider => this.provider;
  getTokenProviderFromActivity = (): AuthProvider => this.provider;
  getDefaultConnectionConfiguration = (): AuthConfiguration => this.provider.connectionSettings;
}

/**
 * The SDK's CloudAdapter for this app: it checks each incoming activity's JWT
 * (signature by the issuer's published keys, audience = the app id, issuer,
 * expiry) and the activity's serviceUrl against the token's `serviceurl` claim
 * and against the Bot Connector hosts the token may be sent to.
 */
export function createTeamsAdapter(settings: Settings): {
  adapter: CloudAdapter;
  tokens: ClientCredentialsProvider;
} {
  const tokens = new ClientCredentialsProvider(settings);
  const connection = tokens.connectionSettings;
  const adapter = new TimedCloudAdapter(
    {
      ...connection,
      // Named explicitly, so no Connections__* variable of the environment can replace them.
      connections: new Map([['changeboard', connection]]),
      connectionsMap: [{ serviceUrl: '*', connection: 'changeboard' }],
    },
    undefined,
    undefined,
    { validateServiceUrl: true },
    connectorHosts(settings),
  );
  adapter.connectionManager = new SingleConnection(tokens);
  return { adapter, tokens };
}
