import { Type } from 'typebox';
import { StringEnum } from '../../shared/schema.js';
import { Strict } from './common.js';

/** Demo mode only (the bundled example policy): its inbox, and signing in as one of its people. */

export const DemoMessageView = Type.Object({
  id: Type.String(),
  kind: StringEnum(['email', 'teams', 'slack', 'webhook'] as const),
  at: Type.String(),
  to: Type.String({ description: 'A person ("Name <address>") or a channel of the policy' }),
  subject: Type.String(),
  html: Type.Optional(Type.String({ description: 'E-mail: the HTML part' })),
  text: Type.Optional(Type.String({ description: 'E-mail: the plain-text part' })),
  body: Type.Optional(
    Type.Unknown({
      description: 'Teams: the Adaptive Card; Slack: the Block Kit message; webhook: the JSON body',
    }),
  ),
});

export const ScheduledMessageView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  to: Type.String(),
  about: Type.String({ examples: ['Approval request: CHG-3'] }),
  notBefore: Type.String({
    description: 'When it goes out: the start of its recipient’s working hours',
  }),
});

export const DemoInbox = Type.Object({
  items: Type.Array(DemoMessageView, { description: 'What was sent, newest first' }),
  scheduled: Type.Array(ScheduledMessageView, {
    description: 'What waits for its recipient’s working hours, soonest first',
  }),
});

export const DemoMessageParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  Strict,
);

export const DemoPerson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  groups: Type.Array(Type.String()),
});

export const DemoSignInBody = Type.Object(
  { person: Type.String({ minLength: 1, maxLength: 100 }) },
  Strict,
);
