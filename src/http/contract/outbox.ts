import { Type } from 'typebox';
import { OUTBOX_STATUSES } from '../../app/ports.js';
import { Nullable, StringEnum } from '../../shared/schema.js';
import { ChangeId, Strict } from './common.js';

/** Deliveries waiting in, or gone from, the outbox (admins). */

export const OutboxMessageView = Type.Object({
  id: Type.String({ description: 'Stable id, sent as X-Changeboard-Delivery / Message-ID' }),
  kind: Type.String({ description: 'teams, slack, webhook, email, …' }),
  target: Type.String({ description: 'Channel or person id' }),
  changeId: Nullable(Type.String()),
  eventId: Nullable(Type.Integer()),
  status: StringEnum(OUTBOX_STATUSES),
  attempts: Type.Integer(),
  nextAttemptAt: Type.String(),
  lastError: Nullable(
    Type.String({ description: 'Why the last attempt failed, or why it was skipped' }),
  ),
  createdAt: Type.String(),
  sentAt: Nullable(Type.String()),
});

export const OutboxList = Type.Object({
  items: Type.Array(OutboxMessageView),
  counts: Type.Record(Type.String(), Type.Integer()),
});

export const OutboxParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  Strict,
);

export const ListOutboxQuery = Type.Object(
  {
    status: Type.Optional(
      Type.String({ description: `Comma-separated: ${OUTBOX_STATUSES.join(', ')}` }),
    ),
    change: Type.Optional(ChangeId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  Strict,
);
