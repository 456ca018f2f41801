import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signSlackRequest } from '../../src/integrations/slack/signature.js';

/** One Web API call the fake received: the method and its arguments (JSON-valued ones parsed). */
export interface SlackCall {
  readonly method: string;
  readonly token: string | undefined;
  // Test code reads whatever the SDK sent.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly args: Record<string, any>;
}

export interface FakeSlack {
  /** SLACK_API_URL for the app under test. */
  readonly url: string;
  readonly calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /**
   * Runs `hook` on each later call to `method` before it is answered: it may
   * hold the call (await something), act first, or answer instead (return an
   * answer; undefined answers as usual). Returns what removes the hook.
   */
  on(method: string, hook: SlackHook): () => void;
  close(): Promise<void>;
}

export type SlackHook = (
  call: SlackCall,
) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;

export interface FakeSlackOptions {
  readonly token: string;
  /** Slack user id → e-mail, for users.lookupByEmail (the first user with it) and users.info. */
  readonly users: Readonly<Record<string, string>>;
  /** Users whose e-mail Slack has not confirmed (users.info says is_email_confirmed: false). */
  readonly unconfirmed?: readonly string[];
  /** Users of another organisation (a Slack Connect channel): users.info gives team T2, not T1. */
  readonly otherTeam?: readonly string[];
  /** Slack channel id → name, for conversations.info and posting. */
  readonly channels: Readonly<Record<string, string>>;
}

/**
 * A local stand-in for Slack's Web API (https://slack.com/api/<method>), on
 * 127.0.0.1: it records every call and answers as Slack does (HTTP 200 with
 * `ok`, and `error` when not ok). A direct message to a user id lands in the
 * app's D… channel with them, as on Slack.
 */
export async function startFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  let seq = 0;
  const nextTs = () => `1790000000.${String(++seq).padStart(6, '0')}`;
  const emailToUser = new Map<string, string>();
  for (const [id, email] of Object.entries(options.users))
    if (!emailToUser.has(email)) emailToUser.set(email, id);
  const hooks = new Map<string, SlackHook>();
  const answer = (call: SlackCall): Record<string, unknown> => {
    if (call.token !== options.token) return { ok: false, error: 'invalid_auth' };
    const a = call.args;
    switch (call.method) {
      case 'auth.test':
        return {
          ok: true,
          user: 'changeboard',
          user_id: 'UBOT',
          team: 'Example Corp',
          team_id: 'T1',
        };
      case 'users.lookupByEmail': {
        const id = emailToUser.get(String(a.email));
        return id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' };
      }
      case 'users.info': {
        const email = options.users[String(a.user)];
        const id = String(a.user);
        return email
          ? {
              ok: true,
              user: {
                id,
                team_id: options.otherTeam?.includes(id) ? 'T2' : 'T1',
                is_email_confirmed: !options.unconfirmed?.includes(id),
                profile: { email },
              },
            }
          : { ok: false, error: 'user_not_found' };
      }
      case 'conversations.info': {
        const name = options.channels[String(a.channel)];
        return name
          ? { ok: true, channel: { id: a.channel, name, is_member: true, is_private: false } }
          : { ok: false, error: 'channel_not_found' };
      }
      case 'chat.postMessage': {
        const channel = String(a.channel);
        if (channel.startsWith('U')) {
          if (!options.users[channel]) return { ok: false, error: 'channel_not_found' };
          return { ok: true, channel: `D${channel.slice(1)}`, ts: nextTs() };
        }
        return options.channels[channel]
          ? { ok: true, channel, ts: nextTs() }
          : { ok: false, error: 'channel_not_found' };
      }
      case 'chat.update':
        return { ok: true, channel: a.channel, ts: a.ts, text: a.text };
      case 'chat.delete':
        return { ok: true, channel: a.channel, ts: a.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'views.open':
        return { ok: true, view: { id: `V${++seq}` } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const method = (request.url ?? '').replace(/^\/api\//, '').replace(/\?.*$/, '');
      const call: SlackCall = {
        method,
        token: request.headers.authorization?.replace(/^Bearer /, ''),
        args: parseArgs(body, request.headers['content-type']),
      };
      calls.push(call);
      const hook = hooks.get(method);
      void Promise.resolve(hook?.(call)).then((hooked) => {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(hooked ?? answer(call)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    on: (method, hook) => {
      hooks.set(method, hook);
      return () => hooks.delete(method);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json'))
    return JSON.parse(body || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    // The SDK sends objects and arrays (blocks, view) as JSON text inside the form.
    try {
      args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      args[key] = value;
    }
  }
  return args;
}

/** An interaction request as Slack sends it: `payload=<JSON>`, form-encoded, signed (v0). */
export function slackRequest(
  signingSecret: string,
  payload: unknown,
  options: { timestamp: number; retryNum?: number; signature?: string },
): { headers: Record<string, string>; payload: string } {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(options.timestamp),
      'x-slack-signature':
        options.signature ?? signSlackRequest(signingSecret, options.timestamp, body),
      ...(options.retryNum !== undefined && {
        'x-slack-retry-num': String(options.retryNum),
        'x-slack-retry-reason': 'http_timeout',
      }),
    },
    payload: body,
  };
}

/** A click on one of a message's buttons, shaped as Slack's block_actions payload. */
export function blockActions(input: {
  user: string;
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
  triggerId?: string;
  /** The clicking user's own workspace (T1 is the app's). */
  team?: string;
}): Record<string, unknown> {
  const actionTs = `${Date.now() / 1000}`;
  return {
    type: 'block_actions',
    team: { id: 'T1', domain: 'example' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: input.team ?? 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    trigger_id: input.triggerId ?? `trigger-${input.user}-${actionTs}`,
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channel,
      is_ephemeral: false,
    },
    channel: {
      id: input.channel,
      name: input.channel.startsWith('D') ? 'directmessage' : 'payments',
    },
    message: { type: 'message', ts: input.messageTs, user: 'UBOT', text: '…' },
    response_url: 'https://hooks.slack.com/actions/T1/1/abc',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'b1',
        value: input.value,
        style: input.actionId.endsWith('approve') ? 'primary' : 'danger',
        text: {
          type: 'plain_text',
          text: input.actionId.endsWith('approve') ? 'Approve' : 'Reject',
        },
        action_ts: actionTs,
      },
    ],
  };
}

/** The reason form submitted: Slack's view_submission payload, carrying the view Changeboard opened. */
export function viewSubmission(input: {
  user: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: Record<string, any>;
  reason: string;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'example' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    trigger_id: `trigger-submit-${input.user}`,
    view: {
      ...input.view,
      id: 'V123',
      team_id: 'T1',
      hash: '1790000000.abc',
      state: { values: { reason: { reason: { type: 'plain_text_input', value: input.reason } } } },
    },
  };
}
