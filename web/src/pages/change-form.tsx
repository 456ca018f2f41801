import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api/client.js';
import { keys, refreshChange, useChange, usePolicy } from '../api/queries.js';
import type { AnswerValue, Change, PolicyField, PolicyInfo } from '../api/types.js';
import { Banner, ErrorState, Loading, PageHeading } from '../components/ui.js';
import { fromLocalInput, toLocalInput } from '../lib/format.js';
import {
  isRequiredNow,
  toFormPolicy,
  validateChange,
  type ChangeContent,
  type Issue,
} from '../lib/policy.js';
import { Link, navigate } from '../lib/router.js';

/** What the inputs hold: text as typed, so a half-typed number or URL can be shown with its problem. */
interface FormState {
  title: string;
  description: string;
  type: string;
  services: string[];
  answers: Record<string, string | boolean | undefined>;
  plannedStart: string;
  plannedEnd: string;
  links: { title: string; url: string }[];
}

export function ChangeFormPage({ id }: { id?: string }) {
  const policy = usePolicy();
  if (policy.isPending)
    return (
      <div className="page narrow">
        <Loading label="Loading the form" lines={6} />
      </div>
    );
  if (policy.isError)
    return (
      <div className="page narrow">
        <ErrorState error={policy.error} retry={() => void policy.refetch()} />
      </div>
    );
  return id ? <EditChange id={id} policy={policy.data} /> : <ChangeForm policy={policy.data} />;
}

function EditChange({ id, policy }: { id: string; policy: PolicyInfo }) {
  const change = useChange(id);
  if (change.isPending)
    return (
      <div className="page narrow">
        <Loading label={`Loading ${id}`} lines={6} />
      </div>
    );
  if (change.isError)
    return (
      <div className="page narrow">
        <ErrorState error={change.error} retry={() => void change.refetch()} />
      </div>
    );
  if (!change.data.actions.includes('edit'))
    return (
      <div className="page narrow">
        <PageHeading title={`Edit ${id}`}>Edit {id}</PageHeading>
        <Banner tone="info" title="You cannot edit this change">
          Only its requester can edit it, and only while it is a draft or pending.{' '}
          <Link href={`/changes/${id}`}>Back to {id}</Link>
        </Banner>
      </div>
    );
  // Not keyed by version: a live update from someone else must not wipe what is being typed.
  // Saving then meets the newer version and says so (409 stale_version).
  return <ChangeForm policy={policy} existing={change.data} />;
}

function initialState(policy: PolicyInfo, existing?: Change): FormState {
  if (!existing)
    return {
      title: '',
      description: '',
      type:
        policy.changeTypes.find((t) => t.id === 'normal')?.id ?? policy.changeTypes[0]?.id ?? '',
      services: [],
      answers: {},
      plannedStart: '',
      plannedEnd: '',
      links: [],
    };
  return {
    title: existing.title,
    description: existing.description,
    type: existing.type,
    services: [...existing.services],
    answers: Object.fromEntries(
      Object.entries(existing.answers).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
    ),
    plannedStart: toLocalInput(existing.plannedStart),
    plannedEnd: toLocalInput(existing.plannedEnd),
    links: existing.links.map((l) => ({ ...l })),
  };
}

function answerValue(
  field: PolicyField,
  raw: string | boolean | undefined,
): AnswerValue | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'boolean') return raw;
  if (raw.trim() === '') return undefined;
  if (field.type === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  return raw;
}

function toContent(policy: PolicyInfo, state: FormState): ChangeContent {
  const answers: Record<string, AnswerValue> = {};
  for (const field of policy.fields) {
    const value = answerValue(field, state.answers[field.id]);
    if (value !== undefined) answers[field.id] = value;
  }
  return {
    title: state.title,
    description: state.description,
    type: state.type,
    services: state.services,
    answers,
    plannedStart: fromLocalInput(state.plannedStart),
    plannedEnd: fromLocalInput(state.plannedEnd),
    links: state.links.filter((l) => l.title.trim() || l.url.trim()),
  };
}

/** Links are checked by the API's schema; the same rules here. */
function linkIssues(state: FormState): Issue[] {
  const issues: Issue[] = [];
  state.links.forEach((link, i) => {
    if (!link.title.trim() && !link.url.trim()) return;
    if (!link.title.trim())
      issues.push({ path: `links[${i}].title`, message: 'give the link a title' });
    if (!/^https?:\/\/[^\s]+$/.test(link.url.trim()))
      issues.push({ path: `links[${i}].url`, message: 'must be an http(s) URL' });
  });
  return issues;
}

/** `services[0]` → `services`, `answers.risk` stays: the input an issue belongs to. */
function inputOf(path: string): string {
  return path.startsWith('services') ? 'services' : path;
}

function inputId(path: string): string {
  return `f-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;
}

function ChangeForm({ policy, existing }: { policy: PolicyInfo; existing?: Change }) {
  const client = useQueryClient();
  const formPolicy = useMemo(() => toFormPolicy(policy), [policy]);
  const [state, setState] = useState<FormState>(() => initialState(policy, existing));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [attempt, setAttempt] = useState<'draft' | 'submit' | null>(null);
  const [serverIssues, setServerIssues] = useState<Issue[]>([]);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState<{ id: string; version: number } | null>(
    existing ? { id: existing.id, version: existing.version } : null,
  );
  const summaryRef = useRef<HTMLDivElement>(null);
  const isPending = existing?.state === 'pending';
  const canSubmit = !existing || existing.state === 'draft';

  const content = toContent(policy, state);
  const issues = [
    ...validateChange(formPolicy, content, { forSubmit: attempt === 'submit' || isPending }),
    ...linkIssues(state),
  ];
  const shown = (path: string) =>
    attempt !== null || touched.has(path) ? issues.filter((i) => inputOf(i.path) === path) : [];
  const errorFor = (path: string): string | undefined => {
    const own = shown(path)[0]?.message;
    const server = serverIssues.find((i) => inputOf(i.path) === path)?.message;
    return own ?? server;
  };

  const touch = (path: string) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));
  const update = (patch: Partial<FormState>, path: string) => {
    setState((s) => ({ ...s, ...patch }));
    setServerIssues((list) => list.filter((i) => inputOf(i.path) !== path));
  };
  const setAnswer = (id: string, value: string | boolean | undefined) => {
    setState((s) => ({ ...s, answers: { ...s.answers, [id]: value } }));
    setServerIssues((list) => list.filter((i) => i.path !== `answers.${id}`));
  };

  const summaryIssues = attempt
    ? [
        ...issues,
        ...serverIssues.filter((s) => !issues.some((i) => inputOf(i.path) === inputOf(s.path))),
      ]
    : [];

  // A refused save moves focus to the summary of what to fix, which is read out.
  useEffect(() => {
    if (failure) summaryRef.current?.focus();
  }, [failure]);

  const save = async (mode: 'draft' | 'submit') => {
    setAttempt(mode);
    setFailure(null);
    const problems = [
      ...validateChange(formPolicy, content, { forSubmit: mode === 'submit' || isPending }),
      ...linkIssues(state),
    ];
    if (problems.length > 0) {
      summaryRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      let saved: Change;
      if (!draft) {
        saved = await api<Change>('POST', '/changes', {
          title: content.title,
          description: content.description,
          type: content.type,
          services: content.services,
          answers: content.answers,
          plannedStart: content.plannedStart,
          plannedEnd: content.plannedEnd,
          links: content.links,
        });
      } else {
        const removed = Object.fromEntries(
          Object.keys(existing?.answers ?? {})
            .filter((k) => !(k in content.answers))
            .map((k) => [k, null]),
        );
        saved = await api<Change>('PATCH', `/changes/${draft.id}`, {
          version: draft.version,
          title: content.title,
          description: content.description,
          type: content.type,
          services: content.services,
          answers: { ...removed, ...content.answers },
          plannedStart: content.plannedStart,
          plannedEnd: content.plannedEnd,
          links: content.links,
        });
      }
      setDraft({ id: saved.id, version: saved.version });
      if (mode === 'submit' && saved.state === 'draft')
        saved = await api<Change>('POST', `/changes/${saved.id}/submit`, {
          version: saved.version,
        });
      refreshChange(client, saved);
      navigate(`/changes/${saved.id}`);
    } catch (caught) {
      const error =
        caught instanceof ApiError
          ? caught
          : new ApiError(0, 'unknown', 'Saving failed; try again.');
      setServerIssues([...error.details]);
      setFailure(error);
      if (error.code === 'stale_version' && existing)
        void client.invalidateQueries({ queryKey: keys.change(existing.id) });
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void save(canSubmit ? 'submit' : 'draft');
  };

  const title = existing ? `Edit ${existing.id}` : 'New change';
  const typeOf = policy.changeTypes.find((t) => t.id === state.type);

  return (
    <div className="page narrow">
      <PageHeading title={title}>{existing ? `Edit ${existing.id}` : 'New change'}</PageHeading>
      <p className="muted lead">
        Answer the board’s questions once, in writing. Required questions are marked; a draft can be
        saved at any time.
      </p>
      {isPending ? (
        <Banner tone="warning" title="This change is waiting for approval">
          Saving an edit re-computes what it needs and withdraws the approvals given so far.
        </Banner>
      ) : null}
      <div ref={summaryRef} tabIndex={-1} className="summary-anchor">
        {failure?.code === 'stale_version' ? (
          <Banner tone="danger" title="Someone else changed this meanwhile">
            <p>{failure.message}</p>
            <button
              type="button"
              className="button"
              onClick={() =>
                existing &&
                void client
                  .invalidateQueries({ queryKey: keys.change(existing.id) })
                  .then(() => window.location.reload())
              }
            >
              Load their version (your edits are lost)
            </button>
          </Banner>
        ) : failure && failure.details.length === 0 ? (
          <Banner tone="danger" title="Not saved">
            {failure.message}
          </Banner>
        ) : null}
        {summaryIssues.length > 0 ? (
          <div className="error-summary" role="alert" aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">
              {summaryIssues.length === 1
                ? 'One thing to fix'
                : `${summaryIssues.length} things to fix`}
            </h2>
            <ul>
              {summaryIssues.map((issue) => (
                <li key={`${issue.path}:${issue.message}`}>
                  <a
                    href={`#${inputId(inputOf(issue.path))}`}
                    onClick={(e) => {
                      e.preventDefault();
                      document.getElementById(inputId(inputOf(issue.path)))?.focus();
                    }}
                  >
                    {labelFor(policy, issue.path)}: {issue.message}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>

      <form
        className="change-form"
        onSubmit={onSubmit}
        noValidate
        aria-describedby={summaryIssues.length ? 'error-summary-title' : undefined}
      >
        <fieldset className="form-section">
          <legend>What is changing</legend>
          <Field label="Title" path="title" required error={errorFor('title')}>
            {(props) => (
              <input
                {...props}
                type="text"
                value={state.title}
                maxLength={200}
                onChange={(e) => update({ title: e.target.value }, 'title')}
                onBlur={() => touch('title')}
              />
            )}
          </Field>
          <Field
            label="Description"
            path="description"
            help="Markdown. What changes, why, and how you will know it worked."
            error={errorFor('description')}
          >
            {(props) => (
              <textarea
                {...props}
                rows={6}
                value={state.description}
                onChange={(e) => update({ description: e.target.value }, 'description')}
              />
            )}
          </Field>
          <ChoiceGroup label="Type" path="type" error={errorFor('type')} required>
            {policy.changeTypes.map((t) => (
              <label
                key={t.id}
                className={`choice-card${state.type === t.id ? ' is-checked' : ''}`}
              >
                <input
                  type="radio"
                  name="type"
                  value={t.id}
                  checked={state.type === t.id}
                  id={
                    state.type === t.id || (!state.type && t === policy.changeTypes[0])
                      ? inputId('type')
                      : undefined
                  }
                  onChange={() => update({ type: t.id }, 'type')}
                />
                <span className="choice-card-title">{t.label}</span>
                <span className="choice-card-help">{describeApprovals(t)}</span>
              </label>
            ))}
          </ChoiceGroup>
          <ChoiceGroup
            label="Services"
            path="services"
            help="Every system this change touches."
            error={errorFor('services')}
            required
          >
            {policy.services.map((s, i) => (
              <label
                key={s.id}
                className={`choice-card${state.services.includes(s.id) ? ' is-checked' : ''}`}
              >
                <input
                  type="checkbox"
                  value={s.id}
                  checked={state.services.includes(s.id)}
                  id={i === 0 ? inputId('services') : undefined}
                  onChange={(e) => {
                    const services = e.target.checked
                      ? [...state.services, s.id]
                      : state.services.filter((x) => x !== s.id);
                    update({ services }, 'services');
                    touch('services');
                  }}
                />
                <span className="choice-card-title">{s.name}</span>
                <span className="choice-card-help">{s.repositories.join(', ') || s.id}</span>
              </label>
            ))}
          </ChoiceGroup>
        </fieldset>

        <fieldset className="form-section">
          <legend>When</legend>
          <p className="muted small form-section-help">
            In your local time. Approvers see it in theirs; freezes and overlapping changes are
            flagged on the change page.
          </p>
          <div className="form-row">
            <Field label="Planned start" path="plannedStart" error={errorFor('plannedStart')}>
              {(props) => (
                <input
                  {...props}
                  type="datetime-local"
                  value={state.plannedStart}
                  onChange={(e) => update({ plannedStart: e.target.value }, 'plannedStart')}
                  onBlur={() => touch('plannedStart')}
                />
              )}
            </Field>
            <Field label="Planned end" path="plannedEnd" error={errorFor('plannedEnd')}>
              {(props) => (
                <input
                  {...props}
                  type="datetime-local"
                  value={state.plannedEnd}
                  onChange={(e) => update({ plannedEnd: e.target.value }, 'plannedEnd')}
                  onBlur={() => touch('plannedEnd')}
                />
              )}
            </Field>
          </div>
        </fieldset>

        <fieldset className="form-section">
          <legend>The board’s questions</legend>
          {policy.fields.map((field) => (
            <AnswerInput
              key={field.id}
              field={field}
              value={state.answers[field.id]}
              required={isRequiredNow(
                formPolicy.fields.find((f) => f.id === field.id)!,
                content,
              )}
              error={errorFor(`answers.${field.id}`)}
              onChange={(v) => setAnswer(field.id, v)}
              onBlur={() => touch(`answers.${field.id}`)}
            />
          ))}
        </fieldset>

        <fieldset className="form-section">
          <legend>Links</legend>
          <p className="muted small form-section-help">Pull request, ticket, dashboard, runbook.</p>
          {state.links.map((link, i) => (
            <div className="form-row link-row" key={i}>
              {(
                [
                  ['title', 'Link title', 'text'],
                  ['url', 'URL', 'url'],
                ] as const
              ).map(([key, label, type]) => {
                const path = `links[${i}].${key}`;
                return (
                  <Field key={key} label={label} path={path} error={errorFor(path)}>
                    {(props) => (
                      <input
                        {...props}
                        type={type}
                        value={link[key]}
                        onBlur={() => touch(path)}
                        onChange={(e) =>
                          update(
                            {
                              links: state.links.map((l, j) =>
                                j === i ? { ...l, [key]: e.target.value } : l,
                              ),
                            },
                            path,
                          )
                        }
                      />
                    )}
                  </Field>
                );
              })}
              <button
                type="button"
                className="button button-quiet link-remove"
                aria-label={`Remove link ${i + 1}`}
                onClick={() =>
                  update({ links: state.links.filter((_, j) => j !== i) }, `links[${i}]`)
                }
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            className="button"
            onClick={() => setState((s) => ({ ...s, links: [...s.links, { title: '', url: '' }] }))}
          >
            Add a link
          </button>
        </fieldset>

        <div className="form-actions form-footer">
          {canSubmit ? (
            <>
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy && attempt === 'submit' ? 'Submitting…' : 'Submit for approval'}
              </button>
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void save('draft')}
              >
                {busy && attempt === 'draft' ? 'Saving…' : 'Save draft'}
              </button>
            </>
          ) : (
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save changes'}
            </button>
          )}
          <Link href={existing ? `/changes/${existing.id}` : '/'} className="button button-quiet">
            Cancel
          </Link>
          {typeOf && typeOf.approvals.length === 0 && canSubmit ? (
            <span className="muted small">
              {typeOf.label}: approved as soon as it is submitted.
            </span>
          ) : null}
        </div>
      </form>
    </div>
  );
}

function describeApprovals(type: PolicyInfo['changeTypes'][number]): string {
  if (type.approvals.length === 0) return 'Pre-approved: approved when submitted';
  return `Needs ${type.approvals
    .map((a) => {
      const from = a.from === 'service-approvers' ? 'each service’s approvers' : a.from;
      const when = a.when
        ? ` when ${Object.entries(a.when)
            .map(([k, v]) => `${k} is ${Array.isArray(v) ? v.join(' or ') : String(v)}`)
            .join(' and ')}`
        : '';
      return `${a.count > 1 ? `${a.count} from ` : ''}${from}${when}`;
    })
    .join(', ')}`;
}

function labelFor(policy: PolicyInfo, path: string): string {
  const field = policy.fields.find((f) => `answers.${f.id}` === path);
  if (field) return field.label;
  const names: Record<string, string> = {
    title: 'Title',
    description: 'Description',
    type: 'Type',
    services: 'Services',
    plannedStart: 'Planned start',
    plannedEnd: 'Planned end',
  };
  const link = /^links\[(\d+)\]\.(title|url)$/.exec(path);
  if (link) return `Link ${Number(link[1]) + 1} ${link[2] === 'url' ? 'URL' : 'title'}`;
  return names[inputOf(path)] ?? path;
}

interface InputProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
  'aria-required'?: true;
}

function Field({
  label,
  path,
  help,
  error,
  required,
  children,
}: {
  label: string;
  path: string;
  help?: string;
  error?: string;
  required?: boolean;
  children: (props: InputProps) => ReactNode;
}) {
  const id = inputId(path);
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {label} {required ? <span className="required">required</span> : null}
      </label>
      {help ? (
        <p className="field-help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {children({
        id,
        ...(error ? { 'aria-invalid': true as const } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(required ? { 'aria-required': true as const } : {}),
      })}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function ChoiceGroup({
  label,
  path,
  help,
  error,
  required,
  children,
}: {
  label: string;
  path: string;
  help?: string;
  error?: string;
  required?: boolean;
  children: ReactNode;
}) {
  const id = inputId(path);
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset
      className={`field choice-group${error ? ' has-error' : ''}`}
      aria-describedby={describedBy || undefined}
    >
      <legend>
        {label} {required ? <span className="required">required</span> : null}
      </legend>
      {help ? (
        <p className="field-help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      <div className="choices">{children}</div>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function AnswerInput({
  field,
  value,
  required,
  error,
  onChange,
  onBlur,
}: {
  field: PolicyField;
  value: string | boolean | undefined;
  required: boolean;
  error?: string;
  onChange: (value: string | boolean | undefined) => void;
  onBlur: () => void;
}) {
  const path = `answers.${field.id}`;
  const id = inputId(path);
  if (field.type === 'boolean' || field.type === 'choice') {
    const options: [string, string | boolean][] =
      field.type === 'boolean'
        ? [
            ['Yes', true],
            ['No', false],
          ]
        : (field.options ?? []).map((o) => [o, o]);
    return (
      <ChoiceGroup
        label={field.label}
        path={path}
        help={field.help}
        error={error}
        required={required}
      >
        {options.map(([text, v], i) => (
          <label key={text} className={`pill-choice${value === v ? ' is-checked' : ''}`}>
            <input
              type="radio"
              name={id}
              id={i === 0 ? id : undefined}
              checked={value === v}
              onChange={() => onChange(v)}
              onBlur={onBlur}
            />
            {text}
          </label>
        ))}
      </ChoiceGroup>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <Field label={field.label} path={path} help={field.help} error={error} required={required}>
      {(props) =>
        field.type === 'text' ? (
          <textarea
            {...props}
            rows={3}
            value={text}
            onChange={(e) => onChange(e.target.value)}
            onBlur={onBlur}
          />
        ) : (
          <input
            {...props}
            type={
              field.type === 'url'
                ? 'url'
                : field.type === 'number'
                  ? 'text'
                  : field.type === 'date'
                    ? 'date'
                    : 'text'
            }
            inputMode={field.type === 'number' ? 'decimal' : undefined}
            placeholder={field.type === 'url' ? 'https://' : undefined}
            value={text}
            onChange={(e) => onChange(e.target.value)}
            onBlur={onBlur}
          />
        )
      }
    </Field>
  );
}
