import type { Static } from 'typebox';
import type {
  ChangeList,
  ChangeView,
  EventList,
  MeetingList,
  GateView,
  PolicyApplicationView,
  PolicyHistoryView,
  PolicyView,
} from '../http/contract/index.js';

/** The API's response shapes, shared from the one schema declaration. */
export type ChangeJson = Static<typeof ChangeView>;
export type ChangeListJson = Static<typeof ChangeList>;
export type EventListJson = Static<typeof EventList>;
export type PolicyJson = Static<typeof PolicyView>;
export type PolicyApplicationJson = Static<typeof PolicyApplicationView>;
export type PolicyHistoryJson = Static<typeof PolicyHistoryView>;
export type GateJson = Static<typeof GateView>;
export type MeetingListJson = Static<typeof MeetingList>;
export type { AgendaJson } from '../http/contract/index.js';
export type { PersonStatusJson } from '../http/contract/index.js';
