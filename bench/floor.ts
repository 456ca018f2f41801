/**
 * The floor under create + submit: the rows one created and submitted change
 * leaves in the database — the change, its services, its two events and their
 * outbox rows — written again and again straight through the driver, with no
 * HTTP, no validation, no policy, no hashing and no audit-chain head. No
 * implementation that stores what Changeboard stores can write changes faster
 * on this machine and database, so its ratio to the baseline insert is the
 * ceiling for Changeboard's own create + submit.
 *
 * Generous on purpose: on SQLite 50 changes share a transaction (Changeboard's
 * group commit shares one among the requests that arrive together); on
 * PostgreSQL each change is one transaction of two statements over a pool of
 * ten, where Changeboard's two requests are two transactions.
 */
import { randomUUID } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseTarget } from '../src/storage/database-url.js';

export interface FloorResult {
  changesPerSecond: number;
  changes: number;
  /** The floor's changes are those with a greater id. */
  afterChangeId: number;
}

type Row = Record<string, unknown>;

/** What a created and submitted change wrote, read back, to be written again. */
interface Written {
  /** The change as the create left it, without its id. */
  draft: Row;
  /** The columns the submit changed, with their values. */
  submitted: Row;
  services: Row[];
  created: { event: Row; outbox: Row[] };
  submittedEvent: { event: Row; outbox: Row[] };
}

const SUBMIT_COLUMNS = [
  'state',
  'version',
  'round',
  'requirements',
  'meetings',
  'updated_at',
  'submitted_at',
  'requested_at',
];
const BATCH = 50;
const CONCURRENCY = 50;

/** `title`: of the changes to copy; the newest submitted one is written again for `seconds`. */
export async function measureFloor(
  target: DatabaseTarget,
  title: string,
  seconds: number,
): Promise<FloorResult> {
  return target.dialect === 'sqlite'
    ? floorOnSqlite(target.location, title, seconds)
    : floorOnPostgres(target.location, title, seconds);
}

const NEWEST_SUBMITTED = (placeholder: string) =>
  `select * from changes where title = ${placeholder} and submitted_at is not null order by id desc limit 1`;

function writtenFrom(change: Row, services: Row[], events: Row[], outbox: Row[]): Written {
  const [created, submitted] = events;
  if (!created || !submitted || created.type !== 'created' || submitted.type !== 'submitted')
    throw new Error(`change ${String(change.id)} was not created and then submitted`);
  const { id: _id, ...row } = change;
  const draft: Row = {
    ...row,
    state: 'draft',
    version: 1,
    round: 0,
    requirements: '[]',
    meetings: '[]',
  };
  for (const column of ['submitted_at', 'requested_at']) draft[column] = null;
  const of = (event: Row) => outbox.filter((message) => message.event_id === event.id);
  return {
    draft,
    submitted: Object.fromEntries(SUBMIT_COLUMNS.map((column) => [column, change[column]])),
    services,
    created: { event: created, outbox: of(created) },
    submittedEvent: { event: submitted, outbox: of(submitted) },
  };
}

/** An outbox row as the transaction that planned it wrote it: waiting, or dead with its reason. */
function asPlanned(message: Row): Row {
  const dead = message.status === 'dead' && message.attempts === 0;
  return {
    ...message,
    status: dead ? 'dead' : 'pending',
    attempts: 0,
    lease_token: null,
    lease_expires_at: null,
    last_error: dead ? message.last_error : null,
    sent_at: null,
  };
}

/** A copy of an outbox row for another change and event, with an id of its own. */
function freshMessage(message: Row, changeId: number, eventId: number): Row {
  return { ...asPlanned(message), id: randomUUID(), change_id: changeId, event_id: eventId };
}

function floorOnSqlite(file: string, title: string, seconds: number): FloorResult {
  const db = new Sqlite(file);
  try {
    // The settings Changeboard's SQLite store runs with (src/storage/dialects).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('temp_store = MEMORY');
    const one = <T>(text: string, ...params: unknown[]) => db.prepare(text).get(...params) as T;
    const all = (text: string, id: number) => db.prepare(text).all(id) as Row[];
    const change = one<Row | undefined>(NEWEST_SUBMITTED('?'), title);
    if (!change) throw new Error(`no submitted change titled ${title}`);
    const changeId = Number(change.id);
    const written = writtenFrom(
      change,
      all('select * from change_services where change_id = ?', changeId),
      all('select * from events where change_id = ? order by id', changeId),
      all('select * from outbox where change_id = ?', changeId),
    );
    const inserts = new Map<string, Sqlite.Statement>();
    const insert = (table: string, row: Row) => {
      const columns = Object.keys(row);
      const key = `${table}(${columns.join()})`;
      let statement = inserts.get(key);
      if (!statement) {
        statement = db.prepare(
          `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
        );
        inserts.set(key, statement);
      }
      return statement.run(...Object.values(row));
    };
    const submit = db.prepare(
      `update changes set ${SUBMIT_COLUMNS.map((c) => `${c} = ?`).join(', ')} where id = ?`,
    );
    let eventId = one<{ last: number }>('select max(id) as last from events').last;
    const afterChangeId = one<{ last: number }>('select max(id) as last from changes').last;
    const writeEvent = (event: { event: Row; outbox: Row[] }, id: number) => {
      const stored = ++eventId;
      insert('events', { ...event.event, id: stored, change_id: id });
      for (const message of event.outbox) insert('outbox', freshMessage(message, id, stored));
    };
    const createBatch = db.transaction(() =>
      Array.from({ length: BATCH }, () => {
        const id = Number(insert('changes', written.draft).lastInsertRowid);
        for (const service of written.services)
          insert('change_services', { ...service, change_id: id });
        writeEvent(written.created, id);
        return id;
      }),
    );
    const submitBatch = db.transaction((ids: number[]) => {
      for (const id of ids) {
        submit.run(...Object.values(written.submitted), id);
        writeEvent(written.submittedEvent, id);
      }
    });
    let changes = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    while (performance.now() < until) {
      // As in Changeboard, each change is created in one transaction and submitted in a later one.
      submitBatch(createBatch());
      changes += BATCH;
    }
    return {
      changes,
      changesPerSecond: changes / ((performance.now() - started) / 1000),
      afterChangeId,
    };
  } finally {
    db.close();
  }
}

/** The newest submitted change titled `title`, read back as the rows to write again. */
async function writtenOnPostgres(pool: pg.Pool, title: string): Promise<Written> {
  const [change] = (await pool.query<Row>(NEWEST_SUBMITTED('$1'), [title])).rows;
  if (!change) throw new Error(`no submitted change titled ${title}`);
  const rows = async (text: string) => (await pool.query<Row>(text, [change.id])).rows;
  return writtenFrom(
    change,
    await rows('select * from change_services where change_id = $1'),
    await rows('select * from events where change_id = $1 order by id'),
    await rows('select * from outbox where change_id = $1'),
  );
}

/** The newest change and event ids; the floor's own are above them (events well clear of Changeboard's). */
async function lastIds(pool: pg.Pool): Promise<{ changeId: number; eventId: number }> {
  const { rows } = await pool.query<{ change: string; event: string }>(
    'select (select max(id) from changes) as change, (select max(id) from events) as event',
  );
  return { changeId: Number(rows[0]!.change), eventId: Number(rows[0]!.event) + 10_000_000 };
}

async function floorOnPostgres(url: string, title: string, seconds: number): Promise<FloorResult> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    const written = await writtenOnPostgres(pool, title);
    const last = await lastIds(pool);
    let eventId = last.eventId;
    const statements = createAndSubmitStatements(written);
    let changes = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const client = await pool.connect();
          try {
            await client.query('begin');
            const created = ++eventId;
            const submitted = ++eventId;
            const { rows: inserted } = await client.query<{ id: number }>(
              statements.create.text,
              statements.create.params(created),
            );
            const id = inserted[0]!.id;
            await client.query(statements.submit.text, statements.submit.params(id, submitted));
            await client.query('commit');
            changes += 1;
          } finally {
            client.release();
          }
        }
      }),
    );
    return {
      changes,
      changesPerSecond: changes / ((performance.now() - started) / 1000),
      afterChangeId: last.changeId,
    };
  } finally {
    await pool.end();
  }
}

export interface DecisionFloorResult {
  writes: number;
  writesPerSecond: number;
  /** Milliseconds from asking for a connection to the commit, as 50 clients saw it. */
  p50: number;
  p99: number;
  /** The floor's changes (and their events and outbox rows) are those with a greater id. */
  afterChangeId: number;
}

/**
 * The floor under a decision on PostgreSQL: what a submit writes to a change —
 * its columns updated, an event and its outbox rows — in one statement committed
 * on its own (no transaction around it: one round trip), by 50 clients over a pool
 * of ten, as 50 connections approve. An approval writes that and a decision row
 * besides, through HTTP, checks and the audit chain; so no implementation can
 * answer 50 approvers here with a lower latency than this floor's, and its p99 is
 * the least an approval's p99 can be.
 */
export async function measureDecisionFloor(
  target: DatabaseTarget,
  title: string,
  seconds: number,
): Promise<DecisionFloorResult> {
  if (target.dialect !== 'postgres')
    throw new Error('the decision floor is measured on PostgreSQL');
  const pool = new pg.Pool({ connectionString: target.location, max: 10 });
  try {
    const written = await writtenOnPostgres(pool, title);
    const last = await lastIds(pool);
    let eventId = last.eventId;
    const statements = createAndSubmitStatements(written);
    // Changes of its own to decide on, written before the clock starts.
    const ids: number[] = [];
    for (let i = 0; i < 500; i++) {
      const { rows } = await pool.query<{ id: number }>(
        statements.create.text,
        statements.create.params(++eventId),
      );
      ids.push(rows[0]!.id);
    }
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const asked = performance.now();
          await pool.query(
            statements.submit.text,
            statements.submit.params(ids[next++ % ids.length]!, ++eventId),
          );
          latencies.push(performance.now() - asked);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
    return {
      writes: latencies.length,
      writesPerSecond: latencies.length / ((performance.now() - started) / 1000),
      p50: at(0.5),
      p99: at(0.99),
      afterChangeId: last.changeId,
    };
  } finally {
    await pool.end();
  }
}

/**
 * Each half in one round trip: the change with its services, event and outbox
 * rows in one statement (data-modifying WITH), then the submit's update, event
 * and outbox rows in another.
 */
function createAndSubmitStatements(written: Written) {
  const create = new Statement();
  const change = 'change.id';
  const createdEvent = create.slot('eventId', 'int');
  const createText = [
    `with change as (insert into changes ${create.values(written.draft)} returning id)`,
    ...written.services.map(
      (service, i) =>
        `, service_${i} as (insert into change_services ${create.select(service, { change_id: change })} from change)`,
    ),
    ...eventAndMessages(create, written.created, change, createdEvent, 'from change'),
  ].join('');

  const submit = new Statement();
  const id = submit.slot('changeId', 'int');
  const submittedEvent = submit.slot('eventId', 'int');
  const assignments = Object.entries(written.submitted).map(
    ([column, value]) => `${column} = ${submit.value(value)}`,
  );
  const submitText = [
    `with moved as (update changes set ${assignments.join(', ')} where id = ${id})`,
    ...eventAndMessages(submit, written.submittedEvent, id, submittedEvent, ''),
  ].join('');

  return {
    create: {
      text: `${createText} returning change_id as id`,
      params: (eventId: number) => create.params({ eventId: () => eventId }),
    },
    submit: {
      text: submitText,
      params: (changeId: number, eventId: number) =>
        submit.params({ changeId: () => changeId, eventId: () => eventId }),
    },
  };
}

/** The outbox rows as WITH parts, then the event as the statement's last insert. */
function eventAndMessages(
  statement: Statement,
  { event, outbox }: { event: Row; outbox: Row[] },
  changeId: string,
  eventId: string,
  from: string,
): string[] {
  return [
    ...outbox.map((message, i) => {
      const waiting = asPlanned(message);
      const columns = {
        id: statement.slot('messageId', 'text'),
        change_id: changeId,
        event_id: eventId,
      };
      return `, message_${i} as (insert into outbox ${statement.select(waiting, columns)} ${from})`;
    }),
    ` insert into events ${statement.select(event, { id: eventId, change_id: changeId })} ${from}`,
  ];
}

/** A statement's parameters: fixed values, and slots filled anew for each execution. */
class Statement {
  readonly #values: unknown[] = [];
  readonly #slots: { at: number; name: string }[] = [];

  value(value: unknown): string {
    this.#values.push(value);
    return `$${this.#values.length}`;
  }

  slot(name: string, type: string): string {
    this.#slots.push({ at: this.#values.length, name });
    this.#values.push(null);
    return `$${this.#values.length}::${type}`;
  }

  /** `(columns) values (…)` for a row. */
  values(row: Row): string {
    const values = Object.values(row).map((value) => this.value(value));
    return `(${Object.keys(row).join(', ')}) values (${values.join(', ')})`;
  }

  /** `(columns) select …`, with some columns taken from expressions instead of the row. */
  select(row: Row, expressions: Record<string, string>): string {
    const values = Object.entries(row).map(
      ([column, value]) => expressions[column] ?? this.value(value),
    );
    return `(${Object.keys(row).join(', ')}) select ${values.join(', ')}`;
  }

  /** The parameters for one execution; a slot's filler is called once per place it appears. */
  params(fill: Record<string, () => unknown>): unknown[] {
    const values = [...this.#values];
    for (const { at, name } of this.#slots) values[at] = (fill[name] ?? randomUUID)();
    return values;
  }
}
