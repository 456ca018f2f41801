import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TEAMS_APP_ID = '6f0e2b5c-1d2e-4c3b-9a8f-0123456789ab';
export const TEAMS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP_ID = TEAMS_APP_ID;
const TENANT = TEAMS_TENANT;

export interface Recorded {
  method: string;
  path: string;
  auth: string | undefined;
  json: Record<string, unknown>;
}

/**
 * Entra ID and the Bot Connector on 127.0.0.1: the tenant's OpenID metadata and
 * signing keys, its token endpoint, and the connector's conversation API.
 */
export class FakeMicrosoft {
  readonly requests: Recorded[] = [];
  readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  /** What the connector says about a member (the e-mail fallback). */
  members: Record<string, { email?: string; userPrincipalName?: string; tenantId?: string }> = {};
  /** Holds the answers to new messages until this many arrived (deliveries racing); 0 answers at once. */
  holdPosts = 0;
  #held: (() => void)[] = [];
  #server!: Server;
  activityCount = 0;
  base = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = decodeURIComponent(new URL(req.url!, this.base).pathname);
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = Object.fromEntries(new URLSearchParams(text));
    }
    this.requests.push({ method: req.method!, path, auth: req.headers.authorization, json });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === `/${TENANT}/v2.0/.well-known/openid-configuration`)
      return send(200, {
        issuer: `${this.base}/${TENANT}/v2.0`,
        jwks_uri: `${this.base}/${TENANT}/discovery/v2.0/keys`,
        token_endpoint: `${this.base}/${TENANT}/oauth2/v2.0/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (path === `/${TENANT}/discovery/v2.0/keys`)
      return send(200, {
        keys: [
          { ...this.key.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' },
        ],
      });
    if (path === `/${TENANT}/oauth2/v2.0/token`) {
      if (json.client_id !== APP_ID || json.client_secret !== 'app-password')
        return send(401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        });
      return send(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'bot-token' });
    }
    const member = /^(?:\/[a-z]+)?\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/.exec(path);
    if (member && req.method === 'GET') {
      const found = this.members[member[2]!];
      return found
        ? send(200, { id: member[2], ...found })
        : send(404, { error: { code: 'NotFound' } });
    }
    // A new message, or a reply to an activity (what a turn's sendActivity does).
    const post = /^(?:\/[a-z]+)?\/v3\/conversations\/([^/]+)\/activities(?:\/[^/]+)?$/.exec(path);
    if (post && req.method === 'POST') {
      const id = `activity-${++this.activityCount}`;
      if (this.holdPosts === 0) return send(201, { id });
      this.#held.push(() => send(201, { id }));
      if (this.#held.length >= this.holdPosts) {
        this.holdPosts = 0;
        for (const answer of this.#held.splice(0)) answer();
      }
      return;
    }
    const put = /^(?:\/[a-z]+)?\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/.exec(path);
    if (put && req.method === 'PUT') return send(200, { id: put[2] });
    if (put && req.method === 'DELETE') return send(200, {});
    send(404, {});
  }

  /** A token as Entra ID issues it to the Bot Connector for this bot. */
  token(overrides: Record<string, unknown> = {}, key: KeyObject = this.key.privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const head = b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    const body = b64({
      iss: `${this.base}/${TENANT}/v2.0`,
      aud: APP_ID,
      tid: TENANT,
      serviceurl: `${this.base}/`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...overrides,
    });
    const signature = sign(
      'RSA-SHA256',
      Buffer.from(`${head}.${body}`),
      createPrivateKey(key.export({ format: 'pem', type: 'pkcs8' })),
    );
    return `${head}.${body}.${signature.toString('base64url')}`;
  }

  posts() {
    return this.requests.filter((r) => r.path.includes('/v3/') && r.method !== 'GET');
  }
}

/** The settings that point the bot at a FakeMicrosoft. */
export function teamsEnv(ms: FakeMicrosoft): Record<string, string> {
  return {
    TEAMS_APP_ID: APP_ID,
    TEAMS_APP_PASSWORD: 'app-password',
    TEAMS_TENANT_ID: TENANT,
    TEAMS_AUTHORITY: ms.base,
    TEAMS_SERVICE_URL: `${ms.base}/`,
  };
}
