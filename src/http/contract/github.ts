import { Type } from 'typebox';
import { WEBHOOK_OUTCOMES } from '../../app/ports.js';
import { Nullable, StringEnum } from '../../shared/schema.js';
import { Strict } from './common.js';

/** The GitHub webhook and the deliveries it received. */

const Delivery = Type.Object({
  id: Type.String({ description: 'X-GitHub-Delivery' }),
  event: Type.String({ examples: ['pull_request_review'] }),
  action: Nullable(Type.String()),
  repository: Nullable(Type.String()),
  receivedAt: Type.String(),
  outcome: StringEnum(WEBHOOK_OUTCOMES, {
    description:
      'processed: it drafted or moved a change; ignored: nothing to do; refused: the rules did not allow it (see message)',
  }),
  message: Type.String(),
  changeId: Nullable(Type.String({ examples: ['CHG-42'] })),
});

export const WebhookReceipt = Type.Object({
  ...Delivery.properties,
  duplicate: Type.Boolean({
    description: 'This delivery id was received before (a redelivery): nothing was done again',
  }),
});

export const GithubDeliveryList = Type.Object({
  items: Type.Array(Delivery),
  nextCursor: Nullable(Type.String()),
});

export const ListGithubDeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  Strict,
);
