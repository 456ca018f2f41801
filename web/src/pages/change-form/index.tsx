import type { FormEvent } from 'react';
import { useChange, usePolicy } from '../../api/queries.js';
import type { Change, PolicyInfo } from '../../api/types.js';
import { Banner, ErrorState, Loading, PageHeading } from '../../components/ui.js';
import { Link } from '../../lib/router.js';
import {
  FormActions,
  LinksSection,
  QuestionsSection,
  SaveProblems,
  WhatSection,
  WhenSection,
} from './sections.js';
import { useChangeForm } from './use-change-form.js';

/** The change form: a new change, or an edit of one (`id`). */
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

function ChangeForm({ policy, existing }: { policy: PolicyInfo; existing?: Change }) {
  const form = useChangeForm(policy, existing);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void form.save(form.canSubmit ? 'submit' : 'draft');
  };
  const title = existing ? `Edit ${existing.id}` : 'New change';
  return (
    <div className="page narrow">
      <PageHeading title={title}>{title}</PageHeading>
      <p className="muted lead">
        Answer the board’s questions once, in writing. Required questions are marked; a draft can be
        saved at any time.
      </p>
      {form.isPending ? (
        <Banner tone="warning" title="This change is waiting for approval">
          Saving an edit re-computes what it needs and withdraws the approvals given so far.
        </Banner>
      ) : null}
      <SaveProblems policy={policy} form={form} />
      <form
        className="change-form"
        onSubmit={onSubmit}
        noValidate
        aria-describedby={form.summaryIssues.length ? 'error-summary-title' : undefined}
      >
        <WhatSection policy={policy} form={form} />
        <WhenSection policy={policy} form={form} />
        <QuestionsSection policy={policy} form={form} />
        <LinksSection form={form} />
        <FormActions
          policy={policy}
          form={form}
          cancelTo={existing ? `/changes/${existing.id}` : '/'}
        />
      </form>
    </div>
  );
}
