import type { Generated } from 'kysely';

/** Tables as Kysely sees them. Timestamps are ISO 8601 UTC text and JSON is text, identically on both databases. */
export interface ChangesTable {
  id: Generated<number>;
  title: string;
  description: string;
  type: string;
  services: string;
  answers: string;
  planned_start: string | null;
  planned_end: string | null;
  links: string;
  requester: string | null;
  state: string;
  version: number;
  round: number;
  requirements: string;
  meetings: string;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  requested_at: string | null;
  github_repository: string | null;
  github_pull_number: number | null;
  github_pull_url: string | null;
  github_head_sha: string | null;
  github_merge_sha: string | null;
  github_author: string | null;
  /** The standard change template it was raised from, and its version (migration 0012). */
  template_id: string | null;
  template_version: string | null;
  review_due_at: string | null;
  reviewed_at: string | null;
  reviewed_by: string | null;
  review_answers: string | null;
}

export interface ChangeServicesTable {
  change_id: number;
  service: string;
}

export interface DecisionsTable {
  id: Generated<number>;
  change_id: number;
  round: number;
  person: string;
  stand_in: string | null;
  via: string | null;
  verdict: string;
  comment: string | null;
  at: string;
}

export interface DiscussionsTable {
  id: Generated<number>;
  change_id: number;
  meeting: string;
  occurrence: string | null;
  outcome: string;
  minutes: string | null;
  url: string | null;
  actor: string;
  via: string | null;
  at: string;
}

export interface ExternalLinksTable {
  digest: string;
  person: string;
  change_id: number;
  round: number;
  version: number;
  expires_at: string;
  used_at: string | null;
  created_at: string;
  meeting: string | null;
}

export interface AgendaMailingsTable {
  meeting: string;
  sitting: string;
  sent_at: string;
}

export interface AbsencesTable {
  person: string;
  from: string;
  until: string;
  delegate: string | null;
  note: string | null;
  set_by: string;
  set_at: string;
}

export interface EventsTable {
  id: number;
  change_id: number;
  type: string;
  actor: string;
  at: string;
  data: string;
  policy_hash: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  last_id: number;
  last_hash: string;
}

export interface ApiTokensTable {
  id: Generated<number>;
  digest: string;
  person: string;
  label: string;
  /** TokenScope; `api` unless written otherwise. */
  scope: Generated<string>;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface PoliciesTable {
  hash: string;
  source: string;
  first_seen_at: string;
}

export interface PolicyStateTable {
  id: number;
  hash: string;
  applied_at: string;
  applied_by: string;
  file_hash: string | null;
}

export interface OutboxTable {
  id: string;
  kind: string;
  target: string;
  change_id: number | null;
  event_id: number | null;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_token: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface NudgesTable {
  change_id: number;
  round: number;
  kind: string;
  at: string;
}

export interface ActionLinksTable {
  digest: string;
  person: string;
  change_id: number;
  round: number;
  verdict: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface WebSessionsTable {
  digest: string;
  person: string;
  via: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface SignInLinksTable {
  digest: string;
  person: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface OidcLoginsTable {
  digest: string;
  state: string;
  code_verifier: string;
  nonce: string;
  return_to: string;
  created_at: string;
  expires_at: string;
}

export interface GithubDeliveriesTable {
  id: string;
  event: string;
  action: string | null;
  repository: string | null;
  received_at: string;
  outcome: string;
  message: string;
  change_id: number | null;
}

/** The Slack app's message about a change, per channel or approver (migration 0016). */
export interface SlackMessagesTable {
  change_id: number;
  target: string;
  person: string | null;
  channel: string;
  ts: string;
  posted_at: string;
  updated_at: string;
}

export interface RateLimitsTable {
  key: string;
  count: number;
  window_start_ms: number;
}

export interface DatabaseSchema {
  rate_limits: RateLimitsTable;
  web_sessions: WebSessionsTable;
  sign_in_links: SignInLinksTable;
  oidc_logins: OidcLoginsTable;
  outbox: OutboxTable;
  nudges: NudgesTable;
  action_links: ActionLinksTable;
  changes: ChangesTable;
  change_services: ChangeServicesTable;
  decisions: DecisionsTable;
  discussions: DiscussionsTable;
  absences: AbsencesTable;
  external_links: ExternalLinksTable;
  agenda_mailings: AgendaMailingsTable;
  events: EventsTable;
  audit_head: AuditHeadTable;
  api_tokens: ApiTokensTable;
  policies: PoliciesTable;
  policy_state: PolicyStateTable;
  change_timings: ChangeTimingsTable;
  change_group_timings: ChangeGroupTimingsTable;
  change_sittings: ChangeSittingsTable;
  insight_chunks: InsightChunksTable;
  github_deliveries: GithubDeliveriesTable;
  slack_messages: SlackMessagesTable;
  /** SQLite only: the FTS5 trigram index of the changes' text (migration 0005). */
  changes_text: ChangesTextTable;
  /** PostgreSQL only: which trigrams each block of 64 change ids holds (migration 0018). */
  change_text_blocks: ChangeTextBlocksTable;
}

export interface ChangeTextBlocksTable {
  trigram: string;
  block: number;
}

/** The insights' rollup (migration 0015): one row per change, as of its version and a policy. */
export interface ChangeTimingsTable {
  change_id: number;
  version: number;
  policy_hash: string;
  type: string;
  state: string;
  created_ms: number;
  submitted_ms: number | null;
  decided_ms: number | null;
  completed_ms: number | null;
  failed_ms: number | null;
  verified_ms: number | null;
  outcome: string | null;
  final_outcome: string | null;
  ever_rejected: number;
  pre_approved: number;
  emergency: number;
  decision_minutes: number | null;
  lead_minutes: number | null;
  emergency_minutes: number | null;
  sittings: number;
  review_due_ms: number | null;
  reviewed: number;
  class_key: string | null;
  /** The change's services, sorted, as a JSON array (migration 0019). */
  services_key: string;
}

/** The insights' weekly chunks (migration 0019): the rollup rows of a week, a type and a set of services, summed. */
export interface InsightChunksTable {
  week_ms: number;
  type: string;
  services_key: string;
  generation: number;
  /** JSON of domain/insights/chunks.ts `Chunk`; null until worked out (again). */
  data: string | null;
}

export interface ChangeGroupTimingsTable {
  change_id: number;
  group_id: string;
  decision_minutes: number | null;
  first_response_minutes: number | null;
}

export interface ChangeSittingsTable {
  change_id: number;
  sitting: string;
}

export interface ChangesTextTable {
  rowid: number;
  title: string;
  description: string;
}
