import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** What a receiver answers; may differ per request (failure injection). */
export interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Wait before answering (a slow receiver). */
  readonly delayMs?: number;
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

export interface HttpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Answers the next requests with these replies, in order; afterwards 200. */
  replyWith(...replies: Reply[]): void;
  /** Resolves once a request has arrived, answered or not (bounded). */
  waitForConnection(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 standing in for Teams, Slack or a webhook receiver. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  let queue: Reply[] = [];
  let arrived = 0;
  const server: Server = createServer((req, res) => {
    arrived++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const reply = queue.shift() ?? {};
      const answer = () => {
        if ((reply.status ?? 200) < 300)
          requests.push({ path: req.url ?? '/', headers: req.headers, raw, json });
        res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? '1');
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    replyWith: (...replies) => {
      queue = [...replies];
    },
    async waitForConnection(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (arrived === 0) {
        if (Date.now() > deadline) throw new Error('no request arrived');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface MailReceiver {
  readonly url: string;
  readonly messages: ParsedMail[];
  /** Recipients (e-mail addresses) the server refuses with 550. */
  readonly rejected: Set<string>;
  /** Waits until at least `count` messages arrived (bounded). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) that parses what arrives with mailparser. */
export async function startSmtpServer(
  options: { requireAuth?: { user: string; pass: string } } = {},
): Promise<MailReceiver> {
  const messages: ParsedMail[] = [];
  const rejected = new Set<string>();
  const server = new SMTPServer({
    disabledCommands: options.requireAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.requireAuth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (
        options.requireAuth &&
        auth.username === options.requireAuth.user &&
        auth.password === options.requireAuth.pass
      ) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address)) {
        const error = new Error(`<${address.address}>: no such user`) as Error & {
          responseCode: number;
        };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  const auth = options.requireAuth
    ? `${options.requireAuth.user}:${options.requireAuth.pass}@`
    : '';
  return {
    url: `smtp://${auth}127.0.0.1:${port}`,
    messages,
    rejected,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} mails, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The example policy's Teams, Slack and audit-webhook channels and an SMTP server, all real. */
export interface ExampleReceivers {
  readonly teams: HttpReceiver;
  readonly slack: HttpReceiver;
  readonly audit: HttpReceiver;
  readonly smtp: MailReceiver;
  /** The environment that points a test app of the example policy at them. */
  readonly env: Readonly<Record<string, string>>;
  /** Forgets what each received (and the recipients the SMTP server refuses). */
  clear(): void;
  close(): Promise<void>;
}

export async function startExampleReceivers(): Promise<ExampleReceivers> {
  const [teams, slack, audit, smtp] = await Promise.all([
    startHttpReceiver(),
    startHttpReceiver(),
    startHttpReceiver(),
    startSmtpServer(),
  ]);
  return {
    teams,
    slack,
    audit,
    smtp,
    env: {
      TEAMS_WEBHOOK_URL: teams.url,
      SLACK_WEBHOOK_URL: slack.url,
      AUDIT_WEBHOOK_URL: audit.url,
      AUDIT_WEBHOOK_SECRET: 'audit-secret',
      SMTP_URL: smtp.url,
      ALLOW_PRIVATE_TARGETS: 'true',
    },
    clear() {
      for (const receiver of [teams, slack, audit]) receiver.requests.length = 0;
      smtp.messages.length = 0;
      smtp.rejected.clear();
    },
    async close() {
      await Promise.all([teams.close(), slack.close(), audit.close(), smtp.close()]);
    },
  };
}
