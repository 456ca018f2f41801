import { EXAMPLE_POLICY } from './app.js';

/** The example's one standard change: a TLS certificate rotation, for website and payments. */
export const TLS_TEMPLATE = 'rotate-tls-cert';

/**
 * A standard change for edge, which the example's catalog has none of: the
 * change that only the supplier's CAB holds (it needs no approval, so nothing
 * else keeps it pending). Priya (payments-owners) may raise it.
 */
export const EDGE_TEMPLATE = 'tune-cdn-cache';

/** `policy` (the example by default) with more standard changes at the end of its catalog. */
export function withTemplates(entries: string, policy: string = EXAMPLE_POLICY): string {
  const end = policy.indexOf('    approvedOn: 2026-10-02\n');
  if (end < 0) throw new Error('the policy has no catalog ending in the example template');
  const at = end + '    approvedOn: 2026-10-02\n'.length;
  return `${policy.slice(0, at)}${entries}${policy.slice(at)}`;
}

export const EDGE_TEMPLATE_POLICY = withTemplates(`  - id: ${EDGE_TEMPLATE}
    title: Tune the CDN's cache settings
    services: [edge]
    requesters: [payments-owners, web-owners]
    approvedBy: kim
    approvedOn: 2026-10-02
`);
