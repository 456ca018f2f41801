import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { useChangeList, usePolicy, useSession } from '../api/queries.js';
import type { ChangeCard as Card, PolicyInfo } from '../api/types.js';
import { AwayStrip } from '../components/away.js';
import { ChangeCard } from '../components/change-card.js';
import { EmptyState, ErrorState, Loading, PageHeading } from '../components/ui.js';
import { describeScope } from '../lib/board-scope.js';
import { Link, useSearchParams } from '../lib/router.js';

type View = 'all' | 'waiting' | 'mine';

interface Column {
  readonly id: string;
  readonly title: string;
  readonly states: string;
  /** The API's `sort`; newest first when absent. */
  readonly sort?: 'plannedStart';
  readonly limit: number;
  readonly empty: string;
}

const COLUMNS: Column[] = [
  {
    id: 'pending',
    title: 'Pending',
    states: 'pending',
    limit: 50,
    empty: 'Nothing waits for approval.',
  },
  {
    id: 'approved',
    title: 'Approved',
    states: 'approved',
    // Planned work in the order it will happen.
    sort: 'plannedStart',
    limit: 50,
    empty: 'No approved change is waiting to start.',
  },
  {
    id: 'in_progress',
    title: 'In progress',
    states: 'in_progress',
    limit: 50,
    empty: 'Nothing is being changed right now.',
  },
  {
    id: 'done',
    title: 'Recently done',
    states: 'completed,verified',
    limit: 20,
    empty: 'Nothing completed lately.',
  },
];
const DRAFTS: Column = {
  id: 'draft',
  title: 'Drafts',
  states: 'draft',
  limit: 50,
  empty: 'No drafts.',
};
const CLOSED: Column = {
  id: 'closed',
  title: 'Rejected, withdrawn, failed',
  states: 'rejected,withdrawn,failed',
  limit: 20,
  empty: 'Nothing was rejected, withdrawn or failed.',
};

const VIEWS: { id: View; label: string }[] = [
  { id: 'all', label: 'All changes' },
  { id: 'waiting', label: 'Waiting on me' },
  { id: 'mine', label: 'Mine' },
];

/** The filters of the board, all in the URL so a filtered board can be shared as a link. */
function useBoardFilters(policy: PolicyInfo | undefined) {
  const [search, setSearch] = useSearchParams();
  const view = (
    ['waiting', 'mine'].includes(search.get('view') ?? '') ? search.get('view') : 'all'
  ) as View;
  const choiceFields = (policy?.fields ?? []).filter((f) => f.type === 'choice');
  const answer = choiceFields
    .map((f) => [f.id, search.get(`answer.${f.id}`)] as const)
    .filter(([, value]) => value)
    .map(([id, value]) => `${id}:${value}`)
    .join(',');
  const params: Record<string, string> = {};
  const service = search.get('service');
  const type = search.get('type');
  const requester = view === 'mine' ? 'me' : search.get('requester');
  const q = search.get('q');
  const meeting = search.get('meeting');
  if (service) params.service = service;
  if (type) params.type = type;
  if (requester) params.requester = requester;
  if (q) params.q = q;
  if (answer) params.answer = answer;
  if (search.get('needsDiscussion') === 'true') params.needsDiscussion = 'true';
  if (search.get('reviewDue') === 'true') params.reviewDue = 'true';
  if (meeting) params.meeting = meeting;
  // From an insights figure: the changes created in its period, in its states.
  for (const key of ['createdFrom', 'createdTo', 'figure'] as const) {
    const value = search.get(key);
    if (value) params[key] = value;
  }
  const states = search.get('state')?.split(',').filter(Boolean) ?? [];
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    setSearch(next);
  };
  /** Drops the filters, keeping the view and whether closed changes show. */
  const clear = () => {
    const next = new URLSearchParams();
    for (const key of ['view', 'closed']) {
      const value = search.get(key);
      if (value) next.set(key, value);
    }
    setSearch(next);
  };
  return {
    view,
    params,
    states,
    search,
    set,
    clear,
    choiceFields,
    // A failed change is closed, and still owes its review.
    showClosed: search.get('closed') === '1' || search.get('reviewDue') === 'true',
  };
}

export function BoardPage() {
  const policy = usePolicy();
  const session = useSession();
  const filters = useBoardFilters(policy.data);
  const { view, params } = filters;
  const typeLabel = (id: string) => policy.data?.changeTypes.find((t) => t.id === id)?.label ?? id;
  const heading = VIEWS.find((v) => v.id === view)?.label ?? 'Board';
  const columns = narrowColumns(
    [
      ...(view === 'mine' || filters.states.includes('draft') ? [DRAFTS] : []),
      ...COLUMNS,
      ...(filters.showClosed ? [CLOSED] : []),
    ],
    filters.states,
  );
  const filtered = Object.keys(params).some((k) => k !== 'requester' || view !== 'mine');

  return (
    <div className="page wide">
      <div className="page-head">
        <PageHeading title={heading}>{heading}</PageHeading>
        <nav aria-label="Board views" className="segmented">
          {VIEWS.map((v) => {
            const next = new URLSearchParams(filters.search);
            if (v.id === 'all') next.delete('view');
            else next.set('view', v.id);
            const text = next.toString();
            return (
              <Link
                key={v.id}
                href={text ? `/?${text}` : '/'}
                aria-current={v.id === view ? 'page' : undefined}
              >
                {v.label}
              </Link>
            );
          })}
        </nav>
      </div>
      <AwayStrip />
      <Filters filters={filters} policy={policy.data} />
      {view === 'waiting' ? (
        <WaitingList
          params={params}
          typeLabel={typeLabel}
          filtered={filtered}
          isApprover={(session.data?.person.groups.length ?? 0) > 0}
        />
      ) : (
        <div className="board" data-view={view}>
          {columns.map((column) => (
            <BoardColumn
              key={column.id}
              column={column}
              params={params}
              typeLabel={typeLabel}
              filtered={filtered}
            />
          ))}
        </div>
      )}
    </div>
  );
}

/** Only the states asked for (an insights figure's link), each in its own column. */
function narrowColumns(columns: Column[], states: readonly string[]): Column[] {
  if (states.length === 0) return columns;
  return columns.flatMap((column) => {
    const kept = column.states.split(',').filter((s) => states.includes(s));
    return kept.length > 0 ? [{ ...column, states: kept.join(',') }] : [];
  });
}

function Filters({
  filters,
  policy,
}: {
  filters: ReturnType<typeof useBoardFilters>;
  policy: PolicyInfo | undefined;
}) {
  const id = useId();
  const { search, set, view } = filters;
  const meetings = policy?.meetings ?? [];
  const hasMeetings = meetings.length > 0;
  const [text, setText] = useState(search.get('q') ?? '');
  const urlText = search.get('q') ?? '';
  // The search box writes to the URL after a pause in typing.
  useEffect(() => {
    if (text === urlText) return;
    const timer = setTimeout(() => set('q', text.trim() || null), 300);
    return () => clearTimeout(timer);
  }, [text, urlText, set]);
  const active = [
    'q',
    'service',
    'type',
    'requester',
    'needsDiscussion',
    'reviewDue',
    'meeting',
    'createdFrom',
    'createdTo',
    'figure',
    'state',
    ...filters.choiceFields.map((f) => `answer.${f.id}`),
  ].some((k) => search.get(k));
  const scope = describeScope(search);

  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter the board"
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="filter filter-search">
        <label htmlFor={`${id}-q`} className="visually-hidden">
          Search titles and descriptions
        </label>
        <input
          id={`${id}-q`}
          type="search"
          placeholder="Search changes…"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <Select
        label="Service"
        id={`${id}-service`}
        value={search.get('service')}
        onChange={(v) => set('service', v)}
        options={(policy?.services ?? []).map((s) => [s.id, s.name])}
        all="All services"
      />
      <Select
        label="Type"
        id={`${id}-type`}
        value={search.get('type')}
        onChange={(v) => set('type', v)}
        options={(policy?.changeTypes ?? []).map((t) => [t.id, t.label])}
        all="All types"
      />
      {filters.choiceFields.map((field) => (
        <Select
          key={field.id}
          label={field.label}
          id={`${id}-${field.id}`}
          value={search.get(`answer.${field.id}`)}
          onChange={(v) => set(`answer.${field.id}`, v)}
          options={(field.options ?? []).map((o) => [o, o])}
          all={`Any ${field.label.toLowerCase()}`}
        />
      ))}
      {view !== 'mine' ? (
        <Select
          label="Requester"
          id={`${id}-requester`}
          value={search.get('requester')}
          onChange={(v) => set('requester', v)}
          options={(policy?.people ?? []).map((p) => [p.id, p.name])}
          all="Anyone"
        />
      ) : null}
      {hasMeetings ? (
        <>
          <Select
            label="Meeting"
            id={`${id}-meeting`}
            value={search.get('meeting')}
            onChange={(v) => set('meeting', v)}
            options={meetings.map((m) => [m.id, `On ${m.name}’s agenda`])}
            all="Any meeting"
          />
          <label className="toggle">
            <input
              type="checkbox"
              checked={search.get('needsDiscussion') === 'true'}
              onChange={(e) => set('needsDiscussion', e.target.checked ? 'true' : null)}
            />
            Needs discussion
          </label>
        </>
      ) : null}
      <label className="toggle">
        <input
          type="checkbox"
          checked={search.get('reviewDue') === 'true'}
          onChange={(e) => set('reviewDue', e.target.checked ? 'true' : null)}
        />
        Review due
      </label>
      {view !== 'waiting' ? (
        <label className="toggle">
          <input
            type="checkbox"
            checked={filters.showClosed}
            onChange={(e) => set('closed', e.target.checked ? '1' : null)}
          />
          Show rejected and withdrawn
        </label>
      ) : null}
      {scope ? (
        <span className="chip" data-filter="scope">
          {scope}
        </span>
      ) : null}
      {active ? (
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            setText('');
            filters.clear();
          }}
        >
          Clear filters
        </button>
      ) : null}
    </form>
  );
}

function Select({
  label,
  id,
  value,
  onChange,
  options,
  all,
}: {
  label: string;
  id: string;
  value: string | null;
  onChange: (value: string | null) => void;
  options: [string, string][];
  all: string;
}) {
  return (
    <div className="filter">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || null)}
        className={value ? 'is-set' : undefined}
      >
        <option value="">{all}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function BoardColumn({
  column,
  params,
  typeLabel,
  filtered,
}: {
  column: Column;
  params: Record<string, string>;
  typeLabel: (id: string) => string;
  filtered: boolean;
}) {
  const listParams = useMemo(
    () => ({
      ...params,
      state: column.states,
      ...(column.sort && { sort: column.sort }),
      limit: String(column.limit),
    }),
    [params, column],
  );
  const list = useChangeList(listParams);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const headingId = `column-${column.id}`;
  return (
    <section
      className={`column column-${column.id}`}
      aria-labelledby={headingId}
      data-column={column.id}
    >
      <h2 className="column-title" id={headingId}>
        <span className={`dot state-dot-${column.id}`} aria-hidden="true" />
        {column.title}
        {list.isSuccess ? (
          <span
            className="count"
            aria-label={`${items.length}${list.hasNextPage ? ' or more' : ''} changes`}
          >
            {items.length}
            {list.hasNextPage ? '+' : ''}
          </span>
        ) : null}
      </h2>
      <ChangeListBody
        list={list}
        items={items}
        typeLabel={typeLabel}
        loading={<Loading label={`Loading ${column.title.toLowerCase()}`} lines={2} />}
        empty={<EmptyState title={filtered ? 'No change matches the filters.' : column.empty} />}
        className="cards"
      />
    </section>
  );
}

function WaitingList({
  params,
  typeLabel,
  filtered,
  isApprover,
}: {
  params: Record<string, string>;
  typeLabel: (id: string) => string;
  filtered: boolean;
  isApprover: boolean;
}) {
  const listParams = useMemo(() => ({ ...params, awaiting: 'me', limit: '50' }), [params]);
  const list = useChangeList(listParams);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="waiting" aria-labelledby="waiting-heading" data-column="waiting">
      <h2 id="waiting-heading" className="column-title">
        <span className="dot state-dot-pending" aria-hidden="true" />
        Changes you can approve now
        {list.isSuccess ? (
          <span className="count">
            {items.length}
            {list.hasNextPage ? '+' : ''}
          </span>
        ) : null}
      </h2>
      <ChangeListBody
        list={list}
        items={items}
        typeLabel={typeLabel}
        loading={<Loading label="Loading what waits for you" />}
        empty={
          <EmptyState
            title={
              filtered
                ? 'Nothing that matches the filters waits for you.'
                : 'Nothing waits for you.'
            }
            icon="✓"
          >
            {isApprover
              ? 'When a change needs your approval it appears here, and you are told by e-mail or chat.'
              : 'You are in no approver group, so no change will wait for you.'}
          </EmptyState>
        }
        className="cards cards-grid"
      />
    </section>
  );
}

/** A list of change cards in its loading, error and empty states, with "Show more". */
function ChangeListBody({
  list,
  items,
  typeLabel,
  loading,
  empty,
  className,
}: {
  list: ReturnType<typeof useChangeList>;
  items: readonly Card[];
  typeLabel: (id: string) => string;
  loading: ReactNode;
  empty: ReactNode;
  className: string;
}) {
  return (
    <>
      {list.isPending ? (
        loading
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        empty
      ) : (
        <ol className={className}>
          {items.map((change) => (
            <li key={change.id}>
              <ChangeCard change={change} typeLabel={typeLabel(change.type)} />
            </li>
          ))}
        </ol>
      )}
      {list.hasNextPage ? (
        <button
          type="button"
          className="button button-quiet button-block"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {list.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      ) : null}
    </>
  );
}
