import type { AuditEvent, NewEvent } from '../../domain/events.js';
import type { NewOutboxMessage } from './outbox.js';

/** The audit chain. */

export interface AuditHead {
  readonly lastId: number;
  readonly lastHash: string;
}

export interface EventLog {
  /**
   * Appends to the hash chain. The events are written when the transaction
   * seals them, just before it commits: until then the returned events carry
   * provisional ids and no hash, and they are completed in place then (so keep
   * the objects, not their ids, for after the commit). Must run inside a
   * transaction.
   */
  append(
    events: readonly NewEvent[],
    context: { at: string; policyHash: string },
  ): Promise<AuditEvent[]>;
  /**
   * The outbox messages that appended events cause, written with them when they
   * are sealed; their references to the events (`eventId`, also at the top of a
   * payload, and the event objects) are resolved to the final ids then.
   */
  planMessages(messages: readonly NewOutboxMessage[], at: string): void;
  listForChange(changeId: number): Promise<AuditEvent[]>;
  /** The events of each of these changes, in chain order. */
  listForChanges(ids: readonly number[]): Promise<Map<number, AuditEvent[]>>;
  /** Every event in chain order, a page at a time. */
  listAll(afterId: number, limit: number): Promise<AuditEvent[]>;
  /** The changes approved or rejected in (from, to], each once, with how. */
  listDecidedBetween(
    from: string,
    to: string,
  ): Promise<{ changeId: number; type: 'approved' | 'rejected' }[]>;
  head(): Promise<AuditHead | undefined>;
}
