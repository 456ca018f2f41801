import { Type, type Static } from 'typebox';
import { CHANGE_STATES } from '../../domain/change.js';
import { Nullable, StringEnum } from '../../shared/schema.js';

/**
 * Insights: is async working? Every figure is computed over one population,
 * the changes created in [from, to) (narrowed by service and type), and names
 * the changes behind it: `changes` is a relative URL to `GET /api/v1/changes`
 * with the same filters, `changeIds` lists them (at most 200, `truncated` says
 * when there are more).
 */

export const InsightsQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Start of the period (inclusive); default 90 days before `to`',
      }),
    ),
    to: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'End of the period (exclusive); default now. At most 366 days after `from`',
      }),
    ),
    service: Type.Optional(Type.String({ description: 'Comma-separated service ids' })),
    type: Type.Optional(Type.String({ description: 'Comma-separated change types' })),
    cab: Type.Optional(
      Type.String({
        maxLength: 300,
        description:
          "The CAB cadence to replay: `RRULE@HH:MM Zone`; default the policy's first scheduled meeting, else fortnightly Tuesday 10:00 UTC",
        examples: ['FREQ=WEEKLY;INTERVAL=2;BYDAY=TU@10:00 Europe/London'],
      }),
    ),
    minChanges: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        description: 'Promotion candidates: the fewest changes a class needs (default 10)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type InsightsQueryJson = Static<typeof InsightsQuery>;

/** The changes behind a figure. */
const Behind = {
  changes: Type.String({
    description: 'Relative URL of `GET /api/v1/changes` listing the changes behind the figure',
    examples: ['/api/v1/changes?createdFrom=2026-09-01T00%3A00%3A00.000Z&state=approved'],
  }),
  changeIds: Type.Array(Type.String(), {
    description: 'The changes behind the figure (CHG-n), at most 200',
  }),
  truncated: Type.Boolean({ description: 'More changes are behind it than `changeIds` lists' }),
};

export const CountFigure = Type.Object({ count: Type.Integer(), ...Behind });
export type CountFigureJson = Static<typeof CountFigure>;

/** A distribution of durations in minutes; p50/p90 are null without any sample. */
export const DurationFigure = Type.Object({
  count: Type.Integer({ description: 'How many durations were measured' }),
  p50Minutes: Nullable(Type.Number()),
  p90Minutes: Nullable(Type.Number()),
  meanMinutes: Nullable(Type.Number()),
  ...Behind,
});
export type DurationFigureJson = Static<typeof DurationFigure>;

export const RateFigure = Type.Object({
  numerator: Type.Integer(),
  denominator: Type.Integer(),
  /** numerator ÷ denominator, 0..1; null when the denominator is 0. */
  rate: Nullable(Type.Number()),
  ...Behind,
});
export type RateFigureJson = Static<typeof RateFigure>;

const WeekView = Type.Object({
  weekStart: Type.String({ description: 'Monday 00:00 UTC of the week (an instant)' }),
  created: Type.Integer(),
  submitted: Type.Integer(),
  approved: Type.Integer({ description: 'Changes approved during the week' }),
  rejected: Type.Integer(),
  completed: Type.Integer(),
  failed: Type.Integer(),
  timeToDecisionP50Minutes: Nullable(
    Type.Number({ description: 'Of the changes decided that week' }),
  ),
  timeToDecisionP90Minutes: Nullable(Type.Number()),
  changes: Type.String({ description: 'The changes created that week' }),
});
export type InsightsWeekJson = Static<typeof WeekView>;

const CounterfactualChange = Type.Object({
  id: Type.String({ examples: ['CHG-42'] }),
  title: Type.String(),
  type: Type.String(),
  emergency: Type.Boolean(),
  outcome: StringEnum(['approved', 'rejected'] as const),
  submittedAt: Type.String(),
  decidedAt: Type.String({ description: 'When it really was approved or rejected' }),
  cabAt: Type.String({ description: 'The sitting that would first have decided it' }),
  missedAgenda: Type.Boolean({
    description:
      'Submitted within the agenda lead time before a sitting, so it would have waited for the next one',
  }),
  savedMinutes: Type.Number({
    description: 'cabAt − decidedAt: positive when async decided sooner than the CAB would have',
  }),
});
export type CounterfactualChangeJson = Static<typeof CounterfactualChange>;

const Counterfactual = Type.Object({
  cadence: Type.Object({
    rrule: Type.String(),
    at: Type.String({ description: 'Local start time, HH:MM' }),
    timezone: Type.String(),
    agendaLeadTimeMinutes: Type.Integer(),
    source: StringEnum(['query', 'policy', 'default'] as const, {
      description:
        "`query`: from `cab`; `policy`: the team's own scheduled meeting; `default`: fortnightly Tuesday 10:00",
    }),
    meeting: Nullable(Type.String({ description: 'The policy meeting it was taken from' })),
    text: Type.String({
      description: 'The cadence as `cab` takes it',
      examples: ['FREQ=WEEKLY;INTERVAL=2;BYDAY=TU@10:00 Europe/London'],
    }),
  }),
  decided: Type.Integer({ description: 'Changes submitted and decided (approved or rejected)' }),
  totalSavedMinutes: Type.Number(),
  medianSavedMinutes: Nullable(Type.Number()),
  /** Decided faster than the CAB would have. */
  faster: Type.Integer(),
  sittings: Type.Integer({ description: 'Sittings the cadence would have held in the period' }),
  ecab: Type.Object({
    count: Type.Integer({
      description:
        'Emergency changes: a CAB of this cadence would have had to call an emergency CAB',
    }),
    ...Behind,
  }),
  items: Type.Array(CounterfactualChange, { description: 'Oldest submission first, at most 500' }),
  itemsTruncated: Type.Boolean(),
  ...Behind,
});
export type MeetingCounterfactualJson = Static<typeof Counterfactual>;

export const StandardChangeEntry = Type.Object({
  id: Type.String(),
  title: Type.String(),
  services: Type.Array(Type.String()),
  answers: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  locked: Type.Array(Type.String()),
  requesters: Type.Array(Type.String()),
  approvedBy: Nullable(Type.String({ description: 'For a human to fill in' })),
  approvedOn: Type.String({ description: 'A date, YYYY-MM-DD' }),
});
export type StandardChangeEntryJson = Static<typeof StandardChangeEntry>;

const ChangeClass = {
  type: Type.String(),
  services: Type.Array(Type.String()),
  answers: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
    description: 'The requirement-driving answers that define the class',
  }),
  count: Type.Integer(),
};

const PromotionCandidate = Type.Object({
  ...ChangeClass,
  entry: StandardChangeEntry,
  yaml: Type.String({ description: 'The entry as YAML, to paste under `standardChanges:`' }),
  ...Behind,
});
export type PromotionCandidateJson = Static<typeof PromotionCandidate>;

const NearMiss = Type.Object({
  ...ChangeClass,
  approved: Type.Integer(),
  rejected: Type.Integer(),
  failed: Type.Integer({ description: 'Failed (rolled back) after approval' }),
  open: Type.Integer({ description: 'Not yet decided, or withdrawn' }),
  reason: Type.String(),
  ...Behind,
});

const ByType = Type.Object({ type: Type.String(), ...DurationFigure.properties });
const ByService = Type.Object({ service: Type.String(), ...DurationFigure.properties });
const ByGroup = Type.Object({ group: Type.String(), ...DurationFigure.properties });
export type GroupDurationJson = Static<typeof ByGroup>;

export const InsightsView = Type.Object({
  period: Type.Object({ from: Type.String(), to: Type.String() }),
  filters: Type.Object({ services: Type.Array(Type.String()), types: Type.Array(Type.String()) }),
  generatedAt: Type.String(),
  total: CountFigure,
  counts: Type.Object({
    byState: Type.Array(
      Type.Object({ state: StringEnum(CHANGE_STATES), ...CountFigure.properties }),
    ),
    byType: Type.Array(Type.Object({ type: Type.String(), ...CountFigure.properties })),
  }),
  timeToDecision: Type.Object({
    overall: DurationFigure,
    byType: Type.Array(ByType),
    byService: Type.Array(ByService),
    byGroup: Type.Array(ByGroup, {
      description:
        "From the request to that group's decision (its requirement met, or a rejection)",
    }),
  }),
  firstResponse: Type.Object({
    byGroup: Type.Array(ByGroup, {
      description: 'From the request to the first decision by anyone in the group',
    }),
  }),
  preApproved: Type.Object(
    { ...CountFigure.properties },
    {
      description:
        'Changes that needed no approval (a standard change, or a type with no requirements): left out of time to decision, the rates and the meeting counterfactual',
    },
  ),
  rates: Type.Object({
    approval: RateFigure,
    rejection: RateFigure,
  }),
  changeFailureRate: RateFigure,
  emergencyLeadTime: DurationFigure,
  weekly: Type.Array(WeekView),
  deployments: Type.Object({
    count: Type.Integer({ description: 'Changes completed (or verified) or failed' }),
    perWeek: Type.Number(),
    leadTime: DurationFigure,
    changes: Type.String(),
  }),
  reviews: Type.Object({ done: CountFigure, overdue: CountFigure, owed: CountFigure }),
  meetings: Type.Object({
    sittingsHeld: Type.Integer({ description: 'Distinct sittings that recorded an outcome' }),
    discussed: CountFigure,
    decidedInMeeting: CountFigure,
    decidedAsync: CountFigure,
  }),
  meetingCounterfactual: Counterfactual,
  promotionCandidates: Type.Object({
    minChanges: Type.Integer(),
    candidates: Type.Array(PromotionCandidate),
    nearMisses: Type.Array(NearMiss, {
      description: 'Classes with enough changes that are not candidates, and why',
    }),
  }),
});
export type InsightsJson = Static<typeof InsightsView>;
