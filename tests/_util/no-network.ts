// Tests talk only to 127.0.0.1. A test that reaches for any other host fails
// loudly here instead of hanging on this machine's closed network.
const realFetch = globalThis.fetch;
const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]']);

globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  if (!LOCAL.has(url.hostname))
    return Promise.reject(new Error(`unexpected outbound request to ${url.hostname} in a test`));
  return realFetch(input, init);
};
