import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const EVENT_TYPES = [
  'created',
  'edited',
  'submitted',
  'approval-granted',
  'approval-rejected',
  'approvals-withdrawn',
  'approved',
  'rejected',
  'withdrawn',
  'started',
  'completed',
  'failed',
  'verified',
  'reviewed',
  'commented',
  'discussed',
  'absence-set',
  'absence-ended',
  'policy-changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events about no one change (absences, a new policy) carry this change id: change ids start at 1. */
export const NO_CHANGE = 0;

/** Events about one change, which notification rules may name, plus the derived ones. */
export const NOTIFICATION_EVENTS = [
  ...EVENT_TYPES.filter((type) => !type.startsWith('absence-') && type !== 'policy-changed'),
  'approval-requested',
  'reminder',
] as const;

export type EventData = Readonly<Record<string, unknown>>;

export interface NewEvent {
  readonly changeId: number;
  readonly type: EventType;
  readonly actor: string;
  readonly data: EventData;
}

/** An event as stored: one link of the audit chain. `id` is its position in the chain, from 1. */
export interface AuditEvent extends NewEvent {
  readonly id: number;
  readonly at: string;
  readonly policyHash: string;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash covers every field but itself, serialised as RFC 8785 canonical JSON,
 * so the same event hashes the same on SQLite and PostgreSQL and in any language.
 */
export function hashEvent(event: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(canonicalEventText(event)).digest('hex');
}

/** The exact text an event's hash is the SHA-256 of (hex): its fields but `hash`, as RFC 8785 JSON. */
export function canonicalEventText(event: Omit<AuditEvent, 'hash'>): string {
  const canonical = canonicalize({
    id: event.id,
    changeId: event.changeId,
    type: event.type,
    actor: event.actor,
    at: event.at,
    data: event.data,
    policyHash: event.policyHash,
    prevHash: event.prevHash,
  });
  return canonical ?? '';
}

export interface ChainBreak {
  /** The first event that does not fit the chain (or the position where one is missing). */
  readonly eventId: number;
  readonly reason: string;
}

/**
 * Walks the chain in stored order. Catches an edited event (its hash no longer
 * matches), a deleted or inserted one (ids stop being consecutive, or prevHash
 * stops linking) and reordering (both). A deleted tail is caught against the
 * head the database keeps separately.
 */
export class ChainVerifier {
  #expectedId = 1;
  #prevHash = GENESIS_HASH;
  #count = 0;
  #firstBreak: ChainBreak | undefined;

  push(event: AuditEvent): void {
    if (this.#firstBreak) return;
    const problem = this.#check(event);
    if (problem) {
      this.#firstBreak = { eventId: event.id, reason: problem };
      return;
    }
    this.#expectedId = event.id + 1;
    this.#prevHash = event.hash;
    this.#count++;
  }

  finish(
    head: { lastId: number; lastHash: string } | undefined,
  ): { ok: true; count: number } | { ok: false; count: number; break: ChainBreak } {
    if (
      !this.#firstBreak &&
      head &&
      (head.lastId !== this.#expectedId - 1 || head.lastHash !== this.#prevHash)
    ) {
      this.#firstBreak = {
        eventId: Math.min(head.lastId, this.#expectedId),
        reason: `the chain ends at event ${this.#expectedId - 1} but the recorded head is event ${head.lastId}: events were removed from the end or the head was altered`,
      };
    }
    return this.#firstBreak
      ? { ok: false, count: this.#count, break: this.#firstBreak }
      : { ok: true, count: this.#count };
  }

  #check(event: AuditEvent): string | undefined {
    if (event.id !== this.#expectedId) {
      return event.id > this.#expectedId
        ? `expected event ${this.#expectedId} next but found ${event.id}: events are missing`
        : `event ${event.id} appears out of order after event ${this.#expectedId - 1}`;
    }
    if (event.prevHash !== this.#prevHash) {
      return 'its prevHash does not match the hash of the event before it: an event was inserted, removed or reordered';
    }
    if (hashEvent(event) !== event.hash)
      return 'its content does not match its hash: the event was edited';
    return undefined;
  }
}
