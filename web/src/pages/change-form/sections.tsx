import type { PolicyInfo } from '../../api/types.js';
import { Banner } from '../../components/ui.js';
import { isRequiredNow } from '../../lib/policy.js';
import { viewerTimeZone } from '../../lib/format.js';
import { Link } from '../../lib/router.js';
import { AnswerInput, ChoiceGroup, Field } from './fields.js';
import { describeApprovals, inputId, inputOf, labelFor } from './form-state.js';
import { isLocked } from '../../lib/standard-changes.js';
import { TemplatePicker } from './template-picker.js';
import type { ChangeFormModel } from './use-change-form.js';

/** The parts of the change form, each one of its fieldsets, all driven by useChangeForm. */

interface SectionProps {
  readonly policy: PolicyInfo;
  readonly form: ChangeFormModel;
}

/** Why the last save was refused, and every input to fix, each a link to its input. */
export function SaveProblems({ policy, form }: SectionProps) {
  const { failure, summaryIssues } = form;
  return (
    <div ref={form.summaryRef} tabIndex={-1} className="summary-anchor">
      {failure?.code === 'stale_version' ? (
        <Banner tone="danger" title="Someone else changed this meanwhile">
          <p>{failure.message}</p>
          <button type="button" className="button" onClick={form.loadTheirVersion}>
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
                  {labelFor(policy, issue.path)} — {issue.message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

export function WhatSection({ policy, form }: SectionProps) {
  const { state, errorFor, update, touch, setType } = form;
  return (
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
          <label key={t.id} className={`choice-card${state.type === t.id ? ' is-checked' : ''}`}>
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
              onChange={() => setType(t.id)}
            />
            <span className="choice-card-title">{t.label}</span>
            <span className="choice-card-help">{describeApprovals(t)}</span>
          </label>
        ))}
      </ChoiceGroup>
      <TemplatePicker policy={policy} form={form} />
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
  );
}

export function WhenSection({ policy, form }: SectionProps) {
  const { state, errorFor, update, touch } = form;
  const required = policy.changeTypes.find((t) => t.id === state.type)?.requirePlannedWindow;
  return (
    <fieldset className="form-section">
      <legend>When</legend>
      <p className="muted small form-section-help">
        In your time zone ({viewerTimeZone()}). Approvers see it in theirs, with the zone named;
        freezes and overlapping changes are flagged on the change page.
      </p>
      <div className="form-row">
        {(
          [
            ['plannedStart', 'Planned start'],
            ['plannedEnd', 'Planned end'],
          ] as const
        ).map(([path, label]) => (
          <Field key={path} label={label} path={path} error={errorFor(path)} required={required}>
            {(props) => (
              <input
                {...props}
                type="datetime-local"
                value={state[path]}
                onChange={(e) => update({ [path]: e.target.value }, path)}
                onBlur={() => touch(path)}
              />
            )}
          </Field>
        ))}
      </div>
    </fieldset>
  );
}

export function QuestionsSection({ policy, form }: SectionProps) {
  const { state, content, formPolicy, template, errorFor, setAnswer, touch } = form;
  return (
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
          lockedBy={isLocked(template, field.id) ? template?.title : undefined}
          onChange={(v) => setAnswer(field.id, v)}
          onBlur={() => touch(`answers.${field.id}`)}
        />
      ))}
    </fieldset>
  );
}

export function LinksSection({ form }: Pick<SectionProps, 'form'>) {
  const { state, errorFor, update, touch } = form;
  return (
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
            onClick={() => update({ links: state.links.filter((_, j) => j !== i) }, `links[${i}]`)}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="button" onClick={form.addLink}>
        Add a link
      </button>
    </fieldset>
  );
}

export function FormActions({
  policy,
  form,
  cancelTo,
}: SectionProps & { readonly cancelTo: string }) {
  const { busy, attempt, canSubmit, state } = form;
  const typeOf = policy.changeTypes.find((t) => t.id === state.type);
  return (
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
            onClick={() => void form.save('draft')}
          >
            {busy && attempt === 'draft' ? 'Saving…' : 'Save draft'}
          </button>
        </>
      ) : (
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
      )}
      <Link href={cancelTo} className="button button-quiet">
        Cancel
      </Link>
      {typeOf && typeOf.approvals.length === 0 && canSubmit ? (
        <span className="muted small">{typeOf.label}: approved as soon as it is submitted.</span>
      ) : null}
    </div>
  );
}
