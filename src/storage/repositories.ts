import {
  sql,
  type CompiledQuery,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type Insertable,
  type Selectable,
  type SqlBool,
} from 'kysely';
import type {
  AbsenceRepository,
  ApiToken,
  ChangeQuery,
  ChangeRepository,
  EventLog,
  NewChange,
  PolicyArchive,
  Repositories,
  StoredAbsence,
  TokenRepository,
  TokenScope,
} from '../app/ports.js';
import type {
  Change,
  ChangeState,
  Decision,
  DecisionVia,
  Discussion,
  Verdict,
} from '../domain/change.js';
import { DISCUSSABLE_STATES } from '../domain/meetings.js';
import type { AuditEvent, EventType } from '../domain/events.js';
import { RecentlyUsed } from '../shared/recently-used.js';
import {
  escapeLike,
  listByTextOnPostgres,
  trigramMatch,
  whereText,
  type ChangeSearch,
  type ChangesSelect,
  type Filtered,
} from './change-text-search.js';
import type { BatchReads } from './batch-reads.js';
import type { ChainHead } from './chain-head.js';
import type { DialectFeatures } from './dialects/features.js';
import { githubRepository } from './github-repositories.js';
import { slackMessageRepository } from './slack-repositories.js';
import {
  actionLinkRepository,
  agendaMailingRepository,
  externalLinkRepository,
  nudgeRepository,
  outboxRepository,
} from './outbox-repositories.js';
import {
  oidcLoginRepository,
  rateLimitCounter,
  signInLinkRepository,
  webSessionRepository,
} from './web-repositories.js';
import type {
  AbsencesTable,
  ApiTokensTable,
  ChangesTable,
  DatabaseSchema,
  DecisionsTable,
  EventsTable,
} from './schema.js';

/**
 * `batch`: the group-commit batch these run in (group-commit.ts), if any: the
 * audit chain's head its transaction keeps, and the reads its jobs share.
 */
export function createRepositories(
  db: Kysely<DatabaseSchema>,
  features: DialectFeatures,
  batch?: { chain: ChainHead; reads: BatchReads },
): Repositories {
  const chain = batch?.chain;
  return {
    // With a chain these run in a group-commit batch: a transaction Kysely does not know of.
    changes: changeRepository(db, features, batch),
    absences: absenceRepository(db, batch?.reads),
    events: eventLog(db, chain),
    tokens: tokenRepository(db),
    policies: policyArchive(db),
    outbox: outboxRepository(db, features),
    nudges: nudgeRepository(db),
    agendaMailings: agendaMailingRepository(db),
    actionLinks: actionLinkRepository(db),
    externalLinks: externalLinkRepository(db),
    sessions: webSessionRepository(db),
    signInLinks: signInLinkRepository(db),
    oidcLogins: oidcLoginRepository(db),
    github: githubRepository(db, features),
    rateLimits: rateLimitCounter(db),
    slackMessages: slackMessageRepository(db),
  };
}

/** `batch`: the group-commit batch these run in, if any (createRepositories). */
function changeRepository(
  db: Kysely<DatabaseSchema>,
  features: DialectFeatures,
  batch: { reads: BatchReads } | undefined,
): ChangeRepository {
  const inTransaction = batch !== undefined;
  /**
   * The changes matching every filter of `query`, with `text` as the search words,
   * and the key they are walked by, newest first: the trigram index's rowid when
   * SQLite searches, else the id.
   */
  function filtered(query: ChangeQuery, text: string | undefined): Filtered {
    // SQLite, text search: walk the trigram index newest first and stop at a full page.
    // CROSS JOIN keeps it the outer loop; otherwise SQLite may probe it once per change.
    const match = features.textSearch === 'fts5-trigram-table' ? trigramMatch(text) : undefined;
    let select = (
      match
        ? db
            .selectFrom('changes_text')
            .crossJoin('changes')
            .selectAll('changes')
            .whereRef('changes.id', '=', 'changes_text.rowid')
            .where(sql<SqlBool>`changes_text match ${match}`)
        : db.selectFrom('changes').selectAll()
    ) as ChangesSelect;
    const key = match ? sql<number>`changes_text.rowid` : sql<number>`changes.id`;
    if (query.states?.length) select = select.where('state', 'in', [...query.states]);
    if (query.types?.length) select = select.where('type', 'in', [...query.types]);
    if (query.requesters?.length) select = select.where('requester', 'in', [...query.requesters]);
    if (query.unassigned !== undefined)
      select = select.where('requester', query.unassigned ? 'is' : 'is not', null);
    if (query.services?.length) {
      const services = [...query.services];
      select = select.where((eb) =>
        eb.exists(
          eb
            .selectFrom('change_services')
            .select('change_services.change_id')
            .whereRef('change_services.change_id', '=', 'changes.id')
            .where('change_services.service', 'in', services),
        ),
      );
    }
    if (query.needsDiscussion === true)
      select = select.where('meetings', '!=', '[]').where('state', 'in', [...DISCUSSABLE_STATES]);
    if (query.needsDiscussion === false)
      select = select.where((eb) =>
        eb.or([eb('meetings', '=', '[]'), eb('state', 'not in', [...DISCUSSABLE_STATES])]),
      );
    if (query.reviewDue === true)
      select = select.where('review_due_at', 'is not', null).where('reviewed_at', 'is', null);
    if (query.reviewDue === false)
      select = select.where((eb) =>
        eb.or([eb('review_due_at', 'is', null), eb('reviewed_at', 'is not', null)]),
      );
    if (query.meeting !== undefined)
      select = select.where(
        sql`meetings`,
        'like',
        sql`${`%${escapeLike(JSON.stringify(query.meeting))}%`} escape '\\'`,
      );
    select = whereText(select, features, text);
    for (const [field, values] of Object.entries(query.answers ?? {})) {
      if (values.length === 0) continue;
      // The answer's JSON text: SQLite's -> operator and PostgreSQL's jsonb both compare JSON values.
      const json = values.map((value) => JSON.stringify(value));
      select = select.where(features.answerIn(field, json));
    }
    if (query.plannedFrom !== undefined && query.plannedTo !== undefined) {
      const { plannedFrom, plannedTo } = query;
      // Half-open windows; a change without an end is an instant at its start.
      select = select
        .where('planned_start', 'is not', null)
        .where('planned_start', '<', plannedTo)
        .where((eb) =>
          eb.or([
            eb('planned_end', '>', plannedFrom),
            eb.and([eb('planned_end', 'is', null), eb('planned_start', '>=', plannedFrom)]),
          ]),
        );
    }
    if (query.createdFrom !== undefined)
      select = select.where('changes.created_at', '>=', query.createdFrom);
    if (query.createdTo !== undefined)
      select = select.where('changes.created_at', '<', query.createdTo);
    if (query.figure !== undefined) select = select.where(figureCondition(query.figure));
    if (query.awaiting) {
      const { person, groups, startedTypes = [] } = query.awaiting;
      select = select
        .where((eb) =>
          startedTypes.length === 0
            ? eb('state', '=', 'pending')
            : eb.or([
                eb('state', '=', 'pending'),
                eb.and([
                  eb('state', 'in', ['in_progress', 'completed']),
                  eb('type', 'in', [...startedTypes]),
                ]),
              ]),
        )
        .where('requester', '!=', person)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('decisions')
                .select('decisions.id')
                .whereRef('decisions.change_id', '=', 'changes.id')
                .whereRef('decisions.round', '=', 'changes.round')
                .where('decisions.person', '=', person),
            ),
          ),
        )
        .where((eb) =>
          groups.length === 0
            ? sql<SqlBool>`1 = 0`
            : eb.or(
                groups.map((group) =>
                  eb(
                    sql`requirements`,
                    'like',
                    sql`${`%"group":${escapeLike(JSON.stringify(group))}%`} escape '\\'`,
                  ),
                ),
              ),
        );
    }
    return { select, key };
  }

  /** One page in the query's order, from the cursor on. */
  function pageOf({ select, key }: Filtered, query: ChangeQuery) {
    if (query.order === 'plannedStart') return plannedPage(select, query);
    const from = query.beforeId === undefined ? select : select.where(key, '<', query.beforeId);
    return from.orderBy(key, 'desc').limit(query.limit);
  }

  /** Soonest planned start first, ties by id, changes without one last: keyset on (planned_start, id). */
  function plannedPage(select: ChangesSelect, query: ChangeQuery) {
    const after = query.afterPlanned;
    let from = select;
    if (after?.plannedStart === null) {
      from = from.where('planned_start', 'is', null).where('changes.id', '>', after.id);
    } else if (after) {
      const start = after.plannedStart;
      from = from.where((eb) =>
        eb.or([
          eb('planned_start', '>', start),
          eb.and([eb('planned_start', '=', start), eb('changes.id', '>', after.id)]),
          eb('planned_start', 'is', null),
        ]),
      );
    }
    return from
      .orderBy(sql`planned_start asc nulls last`)
      .orderBy('changes.id', 'asc')
      .limit(query.limit);
  }

  const search: ChangeSearch = { db, features, inTransaction, filtered, pageOf };

  /** Text search on PostgreSQL takes queries of its own to plan (listByTextOnPostgres). */
  function searchesOnPostgres(query: ChangeQuery): boolean {
    // Its windows walk ids newest first. The planned order sorts every match instead:
    // the board asks it for one column (approved changes), a short list.
    return (
      features.textSearch === 'trigram-blocks' &&
      query.order !== 'plannedStart' &&
      Boolean(query.text?.trim())
    );
  }

  // Everyone looking at the same column of the board asks the same page: build its SQL once.
  const keyQueries = new RecentlyUsed<string, CompiledQuery<{ id: number; version: number }>>(500);

  const repository: ChangeRepository = {
    async insert(change) {
      const insertChange = db.insertInto('changes').values(toRow(change)).returning('id');
      if (features.writableCte && change.services.length > 0) {
        // One round trip: the services ride along as a data-modifying WITH.
        const row = await db
          .with('inserted', () => insertChange)
          .with('services', (qb) =>
            qb
              .insertInto('change_services')
              .columns(['change_id', 'service'])
              .expression(
                qb
                  .selectFrom('inserted')
                  .select([
                    'inserted.id',
                    sql<string>`unnest(${[...change.services]}::text[])`.as('service'),
                  ])
                  .distinct(),
              ),
          )
          .selectFrom('inserted')
          .select('inserted.id')
          .executeTakeFirstOrThrow();
        return { ...change, id: row.id };
      }
      const row = await insertChange.executeTakeFirstOrThrow();
      await insertServices(db, row.id, change.services);
      return { ...change, id: row.id };
    },

    async find(id, options = {}) {
      let query = db.selectFrom('changes').selectAll().where('id', '=', id);
      if (options.forUpdate && features.rowLocks) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row && fromRow(row);
    },

    async update(change, previous, recorded = {}) {
      const before = toRow(previous);
      const after = toRow(change);
      // Only what changed: every column written is an index entry rewritten.
      const changed = Object.fromEntries(
        Object.entries(after).filter(
          ([column, value]) => before[column as keyof typeof before] !== value,
        ),
      );
      const { decision } = recorded;
      const inOneStatement = decision !== undefined && features.writableCte;
      if (decision && !inOneStatement)
        await db.insertInto('decisions').values(decisionRow(decision)).execute();
      // The decision's insert runs even when the version check matches no row: the
      // caller rolls back then (saveChange throws), as it would a separate insert.
      const result = await (
        inOneStatement
          ? db
              .with('decided', (db) => db.insertInto('decisions').values(decisionRow(decision)))
              .updateTable('changes')
          : db.updateTable('changes')
      )
        .set({ ...changed, version: change.version })
        .where('id', '=', change.id)
        .where('version', '=', previous.version)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      if (before.services !== after.services) {
        await db.deleteFrom('change_services').where('change_id', '=', change.id).execute();
        await insertServices(db, change.id, change.services);
      }
      return true;
    },

    async list(query: ChangeQuery) {
      const rows = searchesOnPostgres(query)
        ? await listByTextOnPostgres(search, query, 'all')
        : await pageOf(filtered(query, query.text), query).execute();
      return rows.map(fromRow);
    },

    async listKeys(query: ChangeQuery) {
      // Only the ids and versions: SQLite answers from its indexes without reading the rows.
      const keysOf = (page: ChangesSelect) =>
        page.clearSelect().select(['changes.id', 'changes.version']);
      if (searchesOnPostgres(query)) return listByTextOnPostgres(search, query, 'keys');
      const compiled = keyQueries.getOrMake(JSON.stringify(query), () =>
        keysOf(pageOf(filtered(query, query.text), query)).compile(),
      );
      return (await db.executeQuery(compiled)).rows;
    },

    async lastId() {
      const row = await db
        .selectFrom('changes')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      return row?.id === null || row?.id === undefined ? undefined : Number(row.id);
    },

    async findMany(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('changes')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();
      return rows.map(fromRow);
    },

    async listDecisions(changeId, round) {
      const rows = await db
        .selectFrom('decisions')
        .selectAll()
        .where('change_id', '=', changeId)
        .where('round', '=', round)
        .orderBy('id')
        .execute();
      return rows.map(decisionFromRow);
    },

    async findWithDecisions(id, options = {}) {
      if (features.name !== 'postgres') {
        // Two statements cost SQLite nothing: there is no round trip to save.
        const change = await repository.find(id, options);
        return change && { change, decisions: await repository.listDecisions(id, change.round) };
      }
      let query = db
        .selectFrom('changes')
        .selectAll('changes')
        .select(
          sql<Selectable<DecisionsTable>[]>`(select coalesce(json_agg(d order by d.id), '[]'::json)
            from decisions d where d.change_id = changes.id and d.round = changes.round)`.as(
            'current_decisions',
          ),
        )
        // The version the statement's snapshot holds (see below).
        .select(
          sql<number>`(select seen.version from changes seen where seen.id = changes.id)`.as(
            'seen_version',
          ),
        )
        .where('changes.id', '=', id);
      if (options.forUpdate) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      if (!row) return undefined;
      const change = fromRow(row);
      // A lock waited for returns the row as the other transaction left it, but the
      // sub-selects still read the snapshot taken before the wait. Every decision is
      // written with a new version of its change, so equal versions mean the decisions
      // read are this version's; else they are read again, now that the lock is held.
      if (row.seen_version === change.version)
        return { change, decisions: row.current_decisions.map(decisionFromRow) };
      // What the batch read before the wait (who is away) is read again after it, too.
      batch?.reads.forget();
      return { change, decisions: await repository.listDecisions(id, change.round) };
    },

    async listDecisionsForMany(ids) {
      const byChange = new Map<number, Decision[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return byChange;
      const rows = await db
        .selectFrom('decisions')
        .selectAll()
        .where('change_id', 'in', [...ids])
        .orderBy('id')
        .execute();
      for (const row of rows) byChange.get(row.change_id)?.push(decisionFromRow(row));
      return byChange;
    },

    async listDueForNudge({ type, states = ['pending'], kind, requestedBefore, limit }) {
      const rows = await db
        .selectFrom('changes')
        .selectAll()
        // One state is one range of the (state, type, requested_at) index, in order.
        .where((eb) =>
          states.length === 1 ? eb('state', '=', states[0]!) : eb('state', 'in', [...states]),
        )
        .where('type', '=', type)
        .where('requested_at', '<=', requestedBefore)
        .where((eb) => eb.not(eb.exists(nudged(eb, kind))))
        .orderBy('requested_at')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },

    async listReviewsDue({ type, kind, dueBefore, limit }) {
      let query = db
        .selectFrom('changes')
        .selectAll()
        .where('review_due_at', '<=', dueBefore)
        .where('reviewed_at', 'is', null)
        .where((eb) => eb.not(eb.exists(nudged(eb, kind))))
        .orderBy('review_due_at')
        .limit(limit);
      if (type !== undefined) query = query.where('type', '=', type);
      return (await query.execute()).map(fromRow);
    },

    async findLatestForPullRequest(repository, number, options = {}) {
      let query = db
        .selectFrom('changes')
        .selectAll()
        .where('github_repository', '=', repository.toLowerCase())
        .where('github_pull_number', '=', number)
        .orderBy('id', 'desc')
        .limit(1);
      if (options.forUpdate && features.rowLocks) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row && fromRow(row);
    },

    async findLatestForCommit(repository, sha) {
      const commit = sha.toLowerCase();
      const row = await db
        .selectFrom('changes')
        .selectAll()
        .where('github_repository', '=', repository.toLowerCase())
        .where((eb) =>
          eb.or([eb('github_head_sha', '=', commit), eb('github_merge_sha', '=', commit)]),
        )
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    async insertDiscussion(discussion) {
      await db
        .insertInto('discussions')
        .values({
          change_id: discussion.changeId,
          meeting: discussion.meeting,
          occurrence: discussion.occurrence,
          outcome: discussion.outcome,
          minutes: discussion.minutes,
          url: discussion.url,
          actor: discussion.actor,
          via: discussion.via ?? null,
          at: discussion.at,
        })
        .execute();
    },

    async listDiscussions(filter) {
      let query = db.selectFrom('discussions').selectAll();
      if (filter.meeting !== undefined) query = query.where('meeting', '=', filter.meeting);
      if (filter.occurrences !== undefined) {
        if (filter.occurrences.length === 0) return [];
        query = query.where('occurrence', 'in', [...filter.occurrences]);
      }
      if (filter.changeIds !== undefined) {
        if (filter.changeIds.length === 0) return [];
        query = query.where('change_id', 'in', [...filter.changeIds]);
      }
      const rows = await query.orderBy('id').execute();
      return rows.map((row) => ({
        changeId: row.change_id,
        meeting: row.meeting,
        occurrence: row.occurrence,
        outcome: row.outcome as Discussion['outcome'],
        minutes: row.minutes,
        url: row.url,
        actor: row.actor,
        ...(row.via && { via: row.via as DecisionVia }),
        at: row.at,
      }));
    },
  };
  return repository;
}

async function insertServices(
  db: Kysely<DatabaseSchema>,
  changeId: number,
  services: readonly string[],
) {
  if (services.length === 0) return;
  await db
    .insertInto('change_services')
    .values([...new Set(services)].map((service) => ({ change_id: changeId, service })))
    .execute();
}

/** The nudge of this kind already claimed for a change's current round: it is not sent again. */
function nudged(eb: ExpressionBuilder<DatabaseSchema, 'changes'>, kind: string) {
  return eb
    .selectFrom('nudges')
    .select('nudges.change_id')
    .whereRef('nudges.change_id', '=', 'changes.id')
    .whereRef('nudges.round', '=', 'changes.round')
    .where('nudges.kind', '=', kind);
}

function toRow(change: NewChange): Omit<ChangesTable, 'id'> {
  return {
    title: change.title,
    description: change.description,
    type: change.type,
    services: JSON.stringify(change.services),
    answers: JSON.stringify(change.answers),
    planned_start: change.plannedStart,
    planned_end: change.plannedEnd,
    links: JSON.stringify(change.links),
    requester: change.requester,
    state: change.state,
    version: change.version,
    round: change.round,
    requirements: JSON.stringify(change.requirements),
    meetings: JSON.stringify(change.meetings),
    created_at: change.createdAt,
    updated_at: change.updatedAt,
    submitted_at: change.submittedAt,
    requested_at: change.requestedAt,
    github_repository: change.pullRequest?.repository.toLowerCase() ?? null,
    github_pull_number: change.pullRequest?.number ?? null,
    github_pull_url: change.pullRequest?.url ?? null,
    github_head_sha: change.pullRequest?.headSha.toLowerCase() ?? null,
    github_merge_sha: change.pullRequest?.mergeSha?.toLowerCase() ?? null,
    github_author: change.pullRequest?.author ?? null,
    template_id: change.template?.id ?? null,
    template_version: change.template?.version ?? null,
    review_due_at: change.review?.due ?? null,
    reviewed_at: change.review?.doneAt ?? null,
    reviewed_by: change.review?.by ?? null,
    review_answers: change.review?.answers ? JSON.stringify(change.review.answers) : null,
  };
}

function fromRow(row: Selectable<ChangesTable>): Change {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    type: row.type,
    services: JSON.parse(row.services) as Change['services'],
    answers: JSON.parse(row.answers) as Change['answers'],
    plannedStart: row.planned_start,
    plannedEnd: row.planned_end,
    links: JSON.parse(row.links) as Change['links'],
    requester: row.requester,
    state: row.state as ChangeState,
    version: row.version,
    round: row.round,
    requirements: JSON.parse(row.requirements) as Change['requirements'],
    meetings: JSON.parse(row.meetings) as Change['meetings'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    requestedAt: row.requested_at,
    ...(row.github_repository !== null &&
      row.github_pull_number !== null && {
        pullRequest: {
          repository: row.github_repository,
          number: row.github_pull_number,
          url: row.github_pull_url ?? '',
          headSha: row.github_head_sha ?? '',
          mergeSha: row.github_merge_sha,
          author: row.github_author ?? '',
        },
      }),
    ...(row.template_id !== null && {
      template: { id: row.template_id, version: row.template_version ?? '' },
    }),
    ...(row.review_due_at !== null && {
      review: {
        due: row.review_due_at,
        doneAt: row.reviewed_at,
        by: row.reviewed_by,
        answers:
          row.review_answers === null
            ? null
            : (JSON.parse(row.review_answers) as Change['answers']),
      },
    }),
  };
}

/** `batch`: the reads its group-commit batch shares, which every write here makes it forget. */
function absenceRepository(db: Kysely<DatabaseSchema>, batch?: BatchReads): AbsenceRepository {
  const fromRow = (row: Selectable<AbsencesTable>): StoredAbsence => ({
    person: row.person,
    from: row.from,
    until: row.until,
    delegate: row.delegate,
    note: row.note,
    setBy: row.set_by,
    setAt: row.set_at,
  });
  const readAll = async () => {
    const rows = await db.selectFrom('absences').selectAll().orderBy('person').execute();
    return rows.map(fromRow);
  };
  return {
    list: () => (batch ? batch.absences(readAll) : readAll()),
    async find(person) {
      const row = await db
        .selectFrom('absences')
        .selectAll()
        .where('person', '=', person)
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async put(absence) {
      batch?.forget();
      const row = {
        person: absence.person,
        from: absence.from,
        until: absence.until,
        delegate: absence.delegate,
        note: absence.note,
        set_by: absence.setBy,
        set_at: absence.setAt,
      };
      const { person: _, ...update } = row;
      await db
        .insertInto('absences')
        .values(row)
        .onConflict((oc) => oc.column('person').doUpdateSet(update))
        .execute();
    },
    async remove(person) {
      batch?.forget();
      const result = await db
        .deleteFrom('absences')
        .where('person', '=', person)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function decisionRow(decision: Decision): Insertable<DecisionsTable> {
  return {
    change_id: decision.changeId,
    round: decision.round,
    person: decision.person,
    stand_in: decision.standIn ?? null,
    via: decision.via ?? null,
    verdict: decision.verdict,
    comment: decision.comment,
    at: decision.at,
  };
}

function decisionFromRow(row: Selectable<DecisionsTable>): Decision {
  return {
    changeId: row.change_id,
    round: row.round,
    person: row.person,
    ...(row.stand_in !== null && { standIn: row.stand_in }),
    ...(row.via !== null && { via: row.via as DecisionVia }),
    verdict: row.verdict as Verdict,
    comment: row.comment,
    at: row.at,
  };
}

/** `chain`: the write transaction's, which seals the appended events before it commits (chain-head.ts). */
function eventLog(db: Kysely<DatabaseSchema>, chain: ChainHead | undefined): EventLog {
  return {
    append(events, context) {
      if (!chain) throw new Error('events are appended inside a transaction (store.transaction)');
      if (events.length === 0) return Promise.resolve([]);
      const staged = chain.stage(events, context);
      chain.keep(staged, context.at);
      return Promise.resolve(staged);
    },

    planMessages(messages, at) {
      if (!chain) throw new Error('messages are planned inside a transaction (store.transaction)');
      chain.keepMessages(messages, at);
    },

    async listForChange(changeId) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('change_id', '=', changeId)
        .orderBy('id')
        .execute();
      return rows.map(eventFromRow);
    },

    async listForChanges(ids) {
      const byChange = new Map<number, AuditEvent[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return byChange;
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('change_id', 'in', [...ids])
        .orderBy('id')
        .execute();
      for (const row of rows) byChange.get(row.change_id)?.push(eventFromRow(row));
      return byChange;
    },

    async listDecidedBetween(from, to) {
      const rows = await db
        .selectFrom('events')
        .select(['change_id', 'type'])
        .where('type', 'in', ['approved', 'rejected'])
        .where('at', '>', from)
        .where('at', '<=', to)
        .orderBy('id')
        .execute();
      const decided = new Map<number, 'approved' | 'rejected'>();
      for (const row of rows) decided.set(row.change_id, row.type as 'approved' | 'rejected');
      return [...decided].map(([changeId, type]) => ({ changeId, type }));
    },

    async listAll(afterId, limit) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(eventFromRow);
    },

    async head() {
      const row = await db
        .selectFrom('audit_head')
        .select(['last_id', 'last_hash'])
        .where('id', '=', 1)
        .executeTakeFirst();
      return row && { lastId: row.last_id, lastHash: row.last_hash };
    },
  };
}

function eventFromRow(row: Selectable<EventsTable>): AuditEvent {
  return {
    id: row.id,
    changeId: row.change_id,
    type: row.type as EventType,
    actor: row.actor,
    at: row.at,
    data: JSON.parse(row.data) as AuditEvent['data'],
    policyHash: row.policy_hash,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function tokenRepository(db: Kysely<DatabaseSchema>): TokenRepository {
  return {
    async insert(token) {
      const row = await db
        .insertInto('api_tokens')
        .values({
          digest: token.digest,
          person: token.person,
          label: token.label,
          scope: token.scope,
          created_at: token.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return tokenFromRow(row);
    },
    async findByDigest(digest) {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('digest', '=', digest)
        .executeTakeFirst();
      return row && tokenFromRow(row);
    },
    async touch(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async list(person) {
      let query = db.selectFrom('api_tokens').selectAll().orderBy('id');
      if (person) query = query.where('person', '=', person);
      return (await query.execute()).map(tokenFromRow);
    },
    async revoke(id, at) {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

function tokenFromRow(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    person: row.person,
    label: row.label,
    scope: row.scope as TokenScope,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

function policyArchive(db: Kysely<DatabaseSchema>): PolicyArchive {
  return {
    async remember(policy, at) {
      await db
        .insertInto('policies')
        .values({ hash: policy.hash, source: policy.source, first_seen_at: at })
        .onConflict((oc) => oc.column('hash').doNothing())
        .execute();
    },
    async find(hash) {
      const row = await db
        .selectFrom('policies')
        .selectAll()
        .where('hash', '=', hash)
        .executeTakeFirst();
      return row && { hash: row.hash, source: row.source, firstSeenAt: row.first_seen_at };
    },

    async active() {
      const row = await db
        .selectFrom('policy_state')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirst();
      return (
        row && {
          hash: row.hash,
          appliedAt: row.applied_at,
          appliedBy: row.applied_by,
          fileHash: row.file_hash,
        }
      );
    },

    async activate(next, expected) {
      const values = {
        hash: next.hash,
        applied_at: next.appliedAt,
        applied_by: next.appliedBy,
        file_hash: next.fileHash,
      };
      if (expected === undefined) {
        const result = await db
          .insertInto('policy_state')
          .values({ id: 1, ...values })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
      }
      const result = await db
        .updateTable('policy_state')
        .set(values)
        .where('id', '=', 1)
        .where('hash', '=', expected)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async listAll() {
      const rows = await db.selectFrom('policies').selectAll().orderBy('first_seen_at').execute();
      return rows.map((row) => ({
        hash: row.hash,
        source: row.source,
        firstSeenAt: row.first_seen_at,
      }));
    },
  };
}

/** The changes behind an insights figure, by their rows in the insights' rollup (insights-repository.ts sums the same conditions). */
function figureCondition({
  figure,
  nowMs,
}: NonNullable<ChangeQuery['figure']>): RawBuilder<SqlBool> {
  if (figure.kind === 'group' || figure.kind === 'firstResponse') {
    const minutes =
      figure.kind === 'group' ? sql`g.decision_minutes` : sql`g.first_response_minutes`;
    return sql<SqlBool>`exists (select 1 from change_group_timings g where g.change_id = changes.id and g.group_id = ${figure.group} and ${minutes} is not null)`;
  }
  const conditions: Record<typeof figure.kind, RawBuilder<unknown>> = {
    decided: sql`t.decision_minutes is not null`,
    preApproved: sql`t.pre_approved = 1`,
    approved: sql`t.pre_approved = 0 and t.final_outcome = 'approved'`,
    rejected: sql`t.pre_approved = 0 and t.final_outcome = 'rejected'`,
    failed: sql`t.failed_ms is not null`,
    deployed: sql`(t.failed_ms is not null or t.completed_ms is not null)`,
    completed: sql`t.lead_minutes is not null`,
    emergencyVerified: sql`t.emergency_minutes is not null`,
    discussed: sql`t.sittings > 0`,
    decidedInMeeting: sql`t.decision_minutes is not null and t.sittings > 0`,
    decidedAsync: sql`t.decision_minutes is not null and t.sittings = 0`,
    reviewed: sql`t.reviewed = 1`,
    reviewOverdue: sql`t.review_due_ms is not null and t.reviewed = 0 and t.review_due_ms < ${nowMs}`,
  };
  return sql<SqlBool>`exists (select 1 from change_timings t where t.change_id = changes.id and ${conditions[figure.kind]})`;
}
