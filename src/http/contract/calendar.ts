import { Type } from 'typebox';
import { Strict } from './common.js';

/** Planned changes and freezes for calendar apps. */

export const CalendarQuery = Type.Object(
  {
    service: Type.Optional(Type.String({ description: 'Comma-separated service ids' })),
    feed: Type.Optional(
      Type.String({
        description:
          "A calendar feed link's secret (POST /api/v1/calendar/feed), for calendar apps that cannot send a header",
      }),
    ),
  },
  Strict,
);

export const CalendarFeedView = Type.Object(
  {
    url: Type.String({
      description:
        'Subscribe to this link in a calendar app. Anyone holding it can read the calendar; asking for a new one turns it off',
    }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  Strict,
);
