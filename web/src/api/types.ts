import type { Static } from 'typebox';
import type {
  AgendaJson,
  ChangeClockJson,
  ChangeCardJson,
  ChangeCardList,
  ChangeViewJson,
  CreateChangeBody,
  DemoInbox as DemoInboxView,
  DemoMessageView,
  DiscussionBody,
  EventViewJson,
  InsightsJson,
  InsightsQueryJson,
  MeetingJson,
  PatchChangeBody,
  PersonStatusJson,
  PolicyHistoryView,
  PolicyView,
  SessionViewJson,
  SignInMethodsView,
} from '../../../src/http/contract/index.js';

/** The API contract, as the server declares it (src/http/contract/): types only, nothing of the server is bundled. */
export type Change = ChangeViewJson;
/** A change as the board's cards (and every list) show it: `GET /changes?view=card`. */
export type ChangeCard = ChangeCardJson;
export type ChangeCardPage = Static<typeof ChangeCardList>;
export type TimelineEvent = EventViewJson;
export type ChangeClock = ChangeClockJson;
export type PolicyInfo = Static<typeof PolicyView>;
export type PolicyField = PolicyInfo['fields'][number];
export type PolicyHistory = Static<typeof PolicyHistoryView>;
export type Session = SessionViewJson;
export type SignInMethods = Static<typeof SignInMethodsView>;
export type ChangeState = Change['state'];
export type ChangeActionName = Change['actions'][number];
export type AnswerValue = Change['answers'][string];
export type NewChange = Static<typeof CreateChangeBody>;
export type DemoMessage = Static<typeof DemoMessageView>;
export type DemoInbox = Static<typeof DemoInboxView>;
export type ChangeEdit = Static<typeof PatchChangeBody>;
/** A person with their absence: `GET /people`. */
export type PersonStatus = PersonStatusJson;
/** A meeting that remains, with its next sittings' agendas and how its last sitting went: `GET /meetings`. */
export type Meeting = MeetingJson;
/** One sitting's agenda: `GET /meetings/{id}/agenda`. */
export type Agenda = AgendaJson;
export type AgendaItem = Agenda['items'][number];
export type DiscussionOutcome = NonNullable<AgendaItem['outcome']>['outcome'];
/** What an attendee records on a change for their meeting: `POST /changes/{id}/discussions`. */
export type NewDiscussion = Static<typeof DiscussionBody>;

/** Insights for a period: `GET /insights` (src/http/contract/insights.ts). */
export type Insights = InsightsJson;
export type InsightsFilterParams = InsightsQueryJson;
export type InsightsWeek = Insights['weekly'][number];
export type GroupDuration = Insights['timeToDecision']['byGroup'][number];
export type CounterfactualChange = Insights['meetingCounterfactual']['items'][number];
export type PromotionCandidate = Insights['promotionCandidates']['candidates'][number];

export interface ErrorIssue {
  readonly path: string;
  readonly message: string;
}
