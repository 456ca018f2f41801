import { Type, type Static } from 'typebox';
import { formatChangeId } from '../../domain/change.js';
import type { AuditEvent } from '../../domain/events.js';
import { EVENT_TYPES } from '../../domain/events.js';
import { StringEnum } from '../../shared/schema.js';

/** The timeline: every event of a change. */

export const EventView = Type.Object({
  id: Type.Integer({ description: 'Position in the audit chain' }),
  changeId: Type.String(),
  type: StringEnum(EVENT_TYPES),
  actor: Type.String(),
  at: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  policyHash: Type.String(),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type EventViewJson = Static<typeof EventView>;

export const EventList = Type.Object({ items: Type.Array(EventView) });

/** An event as the API, the audit export and webhook channels show it. */
export function presentEvent(event: AuditEvent): EventViewJson {
  return {
    id: event.id,
    changeId: formatChangeId(event.changeId),
    type: event.type,
    actor: event.actor,
    at: event.at,
    data: { ...event.data },
    policyHash: event.policyHash,
    prevHash: event.prevHash,
    hash: event.hash,
  };
}
