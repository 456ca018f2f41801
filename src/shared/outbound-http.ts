import { lookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';

/**
 * The one client for user-configured outbound URLs (chat webhooks, webhook
 * channels). Timeouts, a response-size limit, and a guard that refuses
 * loopback, private and link-local addresses unless allowed. The guard runs at
 * connect time on the resolved address, so DNS that changes its answer between
 * a check and the request (rebinding) cannot slip past it.
 */

export type OutboundErrorCode =
  'blocked' | 'timeout' | 'refused' | 'dns' | 'network' | 'too_large' | 'invalid_url';

export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

export interface OutboundRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs?: number;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type OutboundClient = (request: OutboundRequest) => Promise<OutboundResponse>;

/**
 * Whether an outbound request to this address could reach something that is
 * not the public internet: anything but global unicast as IANA's registries
 * classify it (ipaddr.js keeps that list), so loopback, private, link-local,
 * carrier-grade NAT, documentation and reserved ranges, and the IPv6 forms that
 * lead to IPv4 (NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo). An IPv4-mapped
 * (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) address is judged as the IPv4
 * address it carries.
 */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const parts = (parsed as ipaddr.IPv6).parts;
    const carriesIpv4 =
      parts.slice(0, 5).every((part) => part === 0) &&
      (parts[5] === 0xffff || (parts[5] === 0 && (parts[6] !== 0 || parts[7]! > 1)));
    if (carriesIpv4)
      parsed = new ipaddr.IPv4([
        parts[6]! >> 8,
        parts[6]! & 0xff,
        parts[7]! >> 8,
        parts[7]! & 0xff,
      ]);
  }
  return parsed.range() !== 'unicast';
}

export function createOutboundClient(options: {
  allowPrivate: boolean;
  maxResponseBytes?: number;
  defaultTimeoutMs?: number;
}): OutboundClient {
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;

  const guardedLookup = (
    hostname: string,
    lookupOptions: LookupOneOptions | LookupAllOptions,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ) => {
    lookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = options.allowPrivate
        ? addresses
        : addresses.filter((a) => !isPrivateAddress(a.address));
      if (allowed.length === 0) {
        return callback(
          new OutboundError(
            'blocked',
            `${hostname} resolves to a private address (${addresses[0]?.address}); set ALLOW_PRIVATE_TARGETS=true to allow it`,
          ),
          [],
        );
      }
      if ((lookupOptions as LookupAllOptions).all) callback(null, allowed);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };

  return (request) =>
    new Promise<OutboundResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return reject(new OutboundError('invalid_url', 'the URL is not valid'));
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        return reject(new OutboundError('invalid_url', `${url.protocol} URLs are not allowed`));
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!options.allowPrivate && ipaddr.isValid(host) && isPrivateAddress(host)) {
        return reject(
          new OutboundError(
            'blocked',
            `${host} is a private address; set ALLOW_PRIVATE_TARGETS=true to allow it`,
          ),
        );
      }
      const timeoutMs = request.timeoutMs ?? options.defaultTimeoutMs ?? 10_000;
      const transport = url.protocol === 'https:' ? https : http;
      const req = transport.request(
        url,
        {
          method: request.method ?? 'POST',
          headers: { 'user-agent': 'Changeboard', ...request.headers },
          lookup: guardedLookup,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              req.destroy(
                new OutboundError('too_large', `the response was larger than ${maxBytes} bytes`),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (error) => reject(classify(error)));
        },
      );
      // Bounds the whole exchange, not just idle time on the socket.
      const deadline = setTimeout(
        () => req.destroy(new OutboundError('timeout', `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('timeout', () =>
        req.destroy(new OutboundError('timeout', `no answer within ${timeoutMs} ms`)),
      );
      req.on('error', (error) => reject(classify(error)));
      req.on('close', () => clearTimeout(deadline));
      req.end(request.body);
    });
}

function classify(error: Error): OutboundError {
  if (error instanceof OutboundError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return new OutboundError('refused', 'connection refused');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new OutboundError('dns', `the host name does not resolve (${code})`);
  if (code === 'ECONNRESET') return new OutboundError('network', 'the connection was reset');
  return new OutboundError('network', error.message);
}
