import { ChainVerifier, type AuditEvent, type ChainBreak } from '../domain/events.js';
import type { Repositories } from './ports.js';

const PAGE = 1000;

export type AuditVerdict =
  | { readonly ok: true; readonly count: number; readonly lastHash: string }
  | { readonly ok: false; readonly count: number; readonly firstBad: ChainBreak };

/** Re-hashes the whole history, page by page (constant memory, however long the history). */
export async function verifyAuditTrail(repos: Repositories): Promise<AuditVerdict> {
  const verifier = new ChainVerifier();
  for await (const event of allEvents(repos)) verifier.push(event);
  const head = await repos.events.head();
  const result = verifier.finish(head);
  return result.ok
    ? { ok: true, count: result.count, lastHash: head?.lastHash ?? '' }
    : { ok: false, count: result.count, firstBad: result.break };
}

/** Every event in chain order. Reads by position, so events that were tampered with are still exported as stored. */
export async function* allEvents(repos: Repositories): AsyncGenerator<AuditEvent> {
  let after = 0;
  for (;;) {
    const page = await repos.events.listAll(after, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page.at(-1)!.id;
  }
}
