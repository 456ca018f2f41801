import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useFileReview } from '../api/queries.js';
import type { Change } from '../api/types.js';
import { formatFull, formatRelative } from '../lib/format.js';
import {
  isReviewQuestionRequired,
  reviewAnswers,
  reviewIssues,
  type ReviewValues,
} from '../lib/review.js';
import { AnswerInput } from '../pages/change-form/fields.js';
import { inputId } from '../pages/change-form/form-state.js';
import { AnswerList } from './answer-list.js';
import { Banner, usePeople } from './ui.js';

type Review = NonNullable<Change['review']>;

/**
 * The post-implementation review a change owes (PRODUCT.md): when it is due,
 * and, for whoever may file it, a form generated from the policy's review
 * questions. Once filed, its answers. The server checks everything again; its
 * field errors show under their questions.
 */
export function ReviewPanel({ change }: { change: Change }) {
  const review = change.review;
  if (!review) return null;
  return (
    <section className="panel review-panel" aria-labelledby="review-heading">
      <h2 id="review-heading" className="section-title">
        Post-implementation review
      </h2>
      {review.done ? (
        <FiledReview review={review} />
      ) : (
        <>
          <ReviewDue review={review} />
          {change.actions.includes('review') ? (
            <ReviewForm change={change} review={review} />
          ) : null}
        </>
      )}
    </section>
  );
}

function ReviewDue({ review }: { review: Review }) {
  const due = (
    <time dateTime={review.due} title={formatFull(review.due)}>
      {formatRelative(review.due)}
    </time>
  );
  return review.overdue ? (
    <Banner tone="danger" title="The review is overdue">
      It was due {due}. The change cannot be verified until it is filed.
    </Banner>
  ) : (
    <p>Due {due}. The change cannot be verified until it is filed.</p>
  );
}

function FiledReview({ review }: { review: Review }) {
  const nameOf = usePeople();
  return (
    <>
      <p className="muted small">
        Filed by {nameOf(review.by ?? '')}{' '}
        <time dateTime={review.doneAt ?? ''} title={formatFull(review.doneAt ?? review.due)}>
          {formatRelative(review.doneAt ?? review.due)}
        </time>
        {review.doneAt && review.doneAt > review.due ? ' (after it was due)' : ''}
      </p>
      <AnswerList fields={review.fields} answers={review.answers ?? {}} />
    </>
  );
}

function ReviewForm({ change, review }: { change: Change; review: Review }) {
  const [values, setValues] = useState<ReviewValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = useFileReview(change.id);
  const formRef = useRef<HTMLFormElement>(null);

  const focusFirstError = (paths: readonly string[]) => {
    const [first] = paths;
    if (first) formRef.current?.querySelector<HTMLElement>(`#${inputId(first)}`)?.focus();
  };
  const show = (issues: readonly { path: string; message: string }[]) => {
    setErrors(Object.fromEntries(issues.map((i) => [i.path, i.message])));
    focusFirstError(issues.map((i) => i.path));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const answers = reviewAnswers(review.fields, values);
    const issues = reviewIssues(review.fields, change, answers);
    if (issues.length > 0) return show(issues);
    setErrors({});
    mutation.mutate(
      { answers, version: change.version },
      {
        onError: (error) => {
          if (error instanceof ApiError && error.details.some((d) => d.path.startsWith('answers.')))
            return show(error.details);
          setFormError(error instanceof ApiError ? error.message : 'That did not work; try again.');
        },
      },
    );
  };
  return (
    <form
      ref={formRef}
      className="review-form"
      aria-label="File the review"
      onSubmit={submit}
      noValidate
    >
      {review.fields.map((field) => (
        <AnswerInput
          key={field.id}
          field={field}
          value={values[field.id]}
          required={isReviewQuestionRequired(field, change)}
          error={errors[`answers.${field.id}`]}
          onChange={(value) => setValues({ ...values, [field.id]: value })}
          onBlur={() => {}}
        />
      ))}
      {formError ? (
        <p className="field-error" role="alert">
          {formError}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Filing…' : 'File the review'}
        </button>
      </div>
    </form>
  );
}
