import { Type, type Static } from 'typebox';
import { Nullable, StringEnum } from '../../shared/schema.js';
import { Strict } from './common.js';
import { DemoPerson } from './demo.js';

/** Who is signed in, and how people sign in. */

export const PersonView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  admin: Type.Boolean(),
  groups: Type.Array(Type.String()),
});

export const SessionView = Type.Object({
  person: PersonView,
  via: StringEnum(['token', 'email', 'oidc', 'demo'] as const, {
    description:
      'How the caller authenticated: an API token, a sign-in link, OpenID Connect, or as a person of the demo',
  }),
  csrfToken: Nullable(
    Type.String({
      description:
        'Send as the X-CSRF-Token header with every state-changing request made with the session cookie; null for API tokens',
    }),
  ),
  expiresAt: Nullable(Type.String()),
});
export type SessionViewJson = Static<typeof SessionView>;

export const SignInMethodsView = Type.Object({
  email: Type.Boolean({ description: 'Sign-in links by e-mail' }),
  oidc: Type.Boolean({ description: 'OpenID Connect: start at /api/v1/auth/oidc/start' }),
  demo: Type.Optional(
    Type.Object(
      {
        people: Type.Array(DemoPerson),
        inbox: Type.Boolean({ description: 'Messages are kept in the demo inbox, not sent' }),
      },
      {
        description:
          'Demo mode (the bundled example policy), on this machine only: sign in as one of its people with POST /api/v1/auth/demo',
      },
    ),
  ),
});

export const SignInEmailBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }) },
  Strict,
);

export const SignInLinkBody = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 200 }) },
  Strict,
);

export const SignOutBody = Type.Object(
  {
    everywhere: Type.Optional(
      Type.Boolean({ description: 'End every session of this person, on every device' }),
    ),
  },
  Strict,
);
