import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { ALL_DEFINITIONS, approvalPayload, example } from '../../../tests/_util/github.js';
import { describePayload, readNotice } from './payloads.js';

const ACTED_ON = ['pull_request', 'pull_request_review', 'deployment_status', 'ping'];

describe('readNotice on every real example payload', () => {
  const cases = ALL_DEFINITIONS.flatMap(({ source, definitions }) =>
    definitions
      .filter((d) => ACTED_ON.includes(d.name))
      .flatMap((d) =>
        d.examples.map(
          (payload, i) =>
            [`${source} ${d.name}.${payload.action ?? ''} #${i}`, d.name, payload] as const,
        ),
      ),
  );

  it('has examples to read', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it.each(cases)('%s is read without a 400', (_label, event, payload) => {
    expect(() => readNotice(event, payload)).not.toThrow();
  });
});

describe('readNotice', () => {
  it('turns an approving review into the PR’s facts', () => {
    const payload = approvalPayload(12, 'A'.repeat(40));
    expect(readNotice('pull_request_review', payload)).toEqual({
      kind: 'review-approved',
      reviewer: 'Codertocat',
      pullRequest: {
        repository: 'Codertocat/Hello-World',
        number: 12,
        url: 'https://github.com/Codertocat/Hello-World/pull/12',
        title: 'Update the README with new information.',
        body: 'This is a pretty simple change that we need to pull into master.',
        headSha: 'A'.repeat(40),
        author: 'Codertocat',
      },
    });
  });

  it('reads a deleted author as "ghost" and a missing body as empty', () => {
    const payload = approvalPayload(12, 'a'.repeat(40));
    payload.pull_request.user = null;
    payload.pull_request.body = null;
    const notice = readNotice('pull_request_review', payload);
    expect(notice).toMatchObject({ pullRequest: { author: 'ghost', body: '' } });
  });

  it('ignores reviews that are not approvals, whatever their case', () => {
    const payload = example('pull_request_review', 'submitted');
    expect(readNotice('pull_request_review', payload)).toMatchObject({ kind: 'ignored' });
    payload.review.state = 'APPROVED';
    expect(readNotice('pull_request_review', payload)).toMatchObject({ kind: 'review-approved' });
  });

  it('reads deployment statuses, ignoring states that move nothing', () => {
    const payload = example('deployment_status', 'created');
    expect(readNotice('deployment_status', payload)).toEqual({
      kind: 'deployment',
      deployment: {
        repository: 'Codertocat/Hello-World',
        sha: payload.deployment.sha,
        state: 'success',
        environment: 'production',
        productionEnvironment: false,
        url: null,
      },
    });
    const pages = example('deployment_status', 'created', 1);
    expect(readNotice('deployment_status', pages)).toMatchObject({
      deployment: { environment: 'github-pages', productionEnvironment: false },
    });
    const marked = example('deployment_status', 'created');
    marked.deployment.production_environment = true;
    expect(readNotice('deployment_status', marked)).toMatchObject({
      deployment: { productionEnvironment: true },
    });
    for (const state of ['queued', 'pending', 'error', 'inactive']) {
      payload.deployment_status.state = state;
      expect(readNotice('deployment_status', payload)).toMatchObject({ kind: 'ignored' });
    }
  });

  it('lists every missing or wrong part of a payload it acts on, as invalid input', () => {
    const payload = example('pull_request', 'synchronize');
    delete payload.pull_request.number;
    payload.pull_request.head.sha = 'not-a-sha';
    let caught: unknown;
    try {
      readNotice('pull_request', payload);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('invalid_input');
    expect((caught as AppError).details).toEqual([
      { path: 'pull_request.number', message: 'is required' },
      {
        path: 'pull_request.head.sha',
        message: 'has characters or a form that is not allowed here',
      },
    ]);
  });

  it('does not look inside payloads of events it ignores', () => {
    expect(readNotice('issues', { action: 'opened' })).toEqual({
      kind: 'ignored',
      reason: 'Changeboard does not act on issues (opened)',
    });
    expect(readNotice('star', {})).toMatchObject({ kind: 'ignored' });
  });
});

describe('describePayload', () => {
  it('picks out the action and repository of anything, or null', () => {
    expect(describePayload(example('ping'))).toMatchObject({ action: null });
    expect(describePayload({ action: 'opened', repository: { full_name: 'a/b' } })).toEqual({
      action: 'opened',
      repository: 'a/b',
    });
    expect(describePayload([])).toEqual({ action: null, repository: null });
    expect(describePayload({ action: 3, repository: 'x' })).toEqual({
      action: null,
      repository: null,
    });
  });
});
