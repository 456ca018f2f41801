import type { Acted } from '../../app/act-on-change.js';
import { moveChange } from '../../app/change-lifecycle.js';
import { commentOnChange } from '../../app/comment-on-change.js';
import { createChange } from '../../app/create-change.js';
import { decideChange } from '../../app/decide-change.js';
import { discussChange } from '../../app/discuss-change.js';
import { editChange } from '../../app/edit-change.js';
import type { GithubNotice } from '../../app/github-notices.js';
import { receiveGithubDelivery } from '../../app/receive-github-delivery.js';
import { reviewChange } from '../../app/review-change.js';
import { submitChange } from '../../app/submit-change.js';
import type { Answers, Change } from '../../domain/change.js';
import { DAY, HOUR, MINUTE, type Sim } from './sim.js';
import type { Story } from './timeline.js';

/**
 * The lives of the demo's changes, one generator each (see timeline.ts): every
 * step goes through the same use case the API calls, so the audit chain, the
 * decisions and the reviews are exactly what real use would have recorded.
 */

export type Risk = 'low' | 'medium' | 'high';

export interface NormalSpec {
  readonly requester: string;
  readonly services: readonly string[];
  readonly risk: Risk;
  readonly title: string;
  readonly description: string;
  /** Where its life ends (if "now" does not come first). */
  readonly ending:
    'draft' | 'withdrawn' | 'rejected' | 'completed' | 'verified' | 'failed' | 'failed-unreviewed';
  /** The reason an approver gives for rejecting it. */
  readonly rejection?: string;
  /** Raised again, fixed, after it was rejected. */
  readonly retry?: NormalSpec;
  /** An approver asks a question on the timeline first. */
  readonly question?: boolean;
  /** Edited after its first approval, so every approval is given again (two services or more). */
  readonly edited?: boolean;
}

const QUESTIONS = [
  'Has this run against a copy of production data?',
  'Who is on call while this goes out?',
  'Does the rollback need a data migration too?',
  'Can we do this after the Friday batch run instead?',
];

const REPLIES = [
  'Yes: the staging run is linked above, with yesterday’s production snapshot.',
  'I am, with Lee as backup; I will post in #releases when it is out.',
  'No, the change is backwards compatible; the rollback is a redeploy.',
  'It does not touch the batch, but I planned it for Thursday anyway.',
];

const FAILURES = [
  'Error rate on /charges rose to 4% within minutes; rolled back.',
  'The migration locked the payouts table longer than tested; rolled back after 12 minutes.',
];

const REVIEWS = [
  {
    whatHappened:
      'A connection-pool setting differed between staging and production. Alerting caught the error rate within 3 minutes.',
    followUps:
      'Compare pool settings in CI: https://github.com/example-corp/payments-api/issues/913',
  },
];

function answersFor(sim: Sim, services: readonly string[], risk: Risk): Answers {
  const repository = services.includes('payments') ? 'payments-api' : 'website';
  return {
    tested: true,
    testResults: sim.ciRun(repository),
    consequenceOfNotReleasing: sim.random.pick([
      'The fix waits another week and support keeps answering the same tickets',
      'Customers keep seeing the old behaviour; nothing breaks',
      'The release train after it is blocked',
    ]),
    rollbackPlan: sim.random.pick([
      'Redeploy the previous release from the pipeline (about 5 minutes)',
      'Turn the feature flag off; no deploy needed',
      'Revert the commit and redeploy',
    ]),
    risk,
  };
}

/** A normal change: requested, decided by its services' owners (and a change manager when high risk), carried out. */
export async function* normalStory(sim: Sim, spec: NormalSpec): Story {
  const { deps, random } = sim;
  const requester = sim.person(spec.requester);
  const plannedStart = sim.within(spec.requester, sim.now, DAY / MINUTE, (2 * DAY) / MINUTE);
  const change = await createChange(deps, requester, {
    title: spec.title,
    description: spec.description,
    type: 'normal',
    services: spec.services,
    answers: answersFor(sim, spec.services, spec.risk),
    plannedStart: new Date(plannedStart).toISOString(),
    plannedEnd: new Date(plannedStart + HOUR).toISOString(),
    links: [],
  });
  sim.created.add(change.id);
  if (spec.ending === 'draft') return;
  yield sim.within(spec.requester, sim.now, 5, 45);
  let acted: Acted = await submitChange(deps, requester, change.id);

  const approvers = spec.services.map((service) =>
    random.pick(sim.membersOf(sim.approversOf(service), [spec.requester])),
  );
  const first = approvers[0]!;
  if (spec.question) {
    yield sim.within(first, sim.now, 20, 180);
    await commentOnChange(deps, sim.person(first), change.id, {
      body: random.pick(QUESTIONS),
      question: true,
    });
    yield sim.within(spec.requester, sim.now, 10, 120);
    await commentOnChange(deps, requester, change.id, random.pick(REPLIES));
  }
  if (spec.ending === 'withdrawn') {
    yield sim.within(spec.requester, sim.now, 60, 600);
    await moveChange(deps, requester, change.id, 'withdraw', {
      comment: 'Superseded: this goes out with the next release instead',
    });
    return;
  }
  if (spec.ending === 'rejected') {
    yield sim.within(first, sim.now, 30, 240);
    await decideChange(deps, sim.person(first), change.id, 'reject', {
      comment: spec.rejection ?? 'The rollback plan does not cover the data already written',
    });
    if (!spec.retry) return;
    yield sim.within(spec.requester, sim.now, 8 * 60, 2 * 24 * 60);
    yield* normalStory(sim, spec.retry);
    return;
  }

  for (const approver of approvers) {
    yield sim.within(approver, sim.now, 10, 180);
    acted = await decideChange(deps, sim.person(approver), change.id, 'approve', {});
    if (spec.edited && approver === first && approvers.length > 1) {
      // The window moves after the first approval: a new round, and every approval again.
      yield sim.within(spec.requester, sim.now, 30, 180);
      const moved = acted.change.plannedStart
        ? Date.parse(acted.change.plannedStart) + DAY
        : sim.now + DAY;
      acted = await editChange(deps, requester, change.id, {
        version: acted.change.version,
        plannedStart: new Date(moved).toISOString(),
        plannedEnd: new Date(moved + HOUR).toISOString(),
      });
      for (const again of approvers) {
        yield sim.within(again, sim.now, 15, 240);
        acted = await decideChange(deps, sim.person(again), change.id, 'approve', {});
      }
      break;
    }
  }
  if (spec.risk === 'high') {
    // A change manager decides too, asynchronously; the weekly risk review only hears of it.
    const kim = sim.membersOf('change-managers')[0]!;
    yield sim.within(kim, sim.now, 15, 240);
    acted = await decideChange(deps, sim.person(kim), change.id, 'approve', {});
  }
  yield* implement(sim, spec, acted.change);
}

/** The weekly risk review notes a high-risk change at its sitting, if it sits before the change starts. */
async function* noteAtRiskReview(sim: Sim, change: Change, startsAt: number): Story {
  const meeting = sim.meeting('Weekly risk review');
  const sitting = sim.nextSitting(meeting, sim.now);
  if (sitting === undefined || sitting >= startsAt) return;
  yield sitting;
  const attendee = sim.person(sim.membersOf('change-managers')[0]!);
  await discussChange(sim.deps, attendee, change.id, {
    meeting: meeting.name,
    outcome: 'noted',
    minutes: 'Walked through the rollback; no objections. Watch the error budget for a day.',
  });
}

/** Start as planned (or once approved, outside any freeze), then complete or fail, then verify or review. */
async function* implement(sim: Sim, spec: NormalSpec, change: Change): Story {
  const { deps, random } = sim;
  const requester = sim.person(spec.requester);
  const ready = sim.startableFrom(
    change,
    spec.requester,
    Math.max(
      change.plannedStart ? Date.parse(change.plannedStart) : sim.now,
      sim.within(spec.requester, sim.now, 20, 240),
    ),
  );
  if (change.meetings.length > 0) yield* noteAtRiskReview(sim, change, ready);
  yield ready;
  await moveChange(deps, requester, change.id, 'start');
  if (spec.ending === 'failed' || spec.ending === 'failed-unreviewed') {
    yield sim.after(sim.now, 10, 50);
    await moveChange(deps, requester, change.id, 'fail', { comment: random.pick(FAILURES) });
    if (spec.ending === 'failed-unreviewed') return;
    yield sim.within(spec.requester, sim.now, 3 * 60, 26 * 60);
    await reviewChange(deps, requester, change.id, { answers: random.pick(REVIEWS) });
    return;
  }
  yield sim.after(sim.now, 15, 80);
  await moveChange(deps, requester, change.id, 'complete');
  if (spec.ending !== 'verified') return;
  yield sim.within(spec.requester, sim.now, 60, 20 * 60);
  await moveChange(deps, requester, change.id, 'verify', {
    comment: random.pick(['Dashboards normal for a day.', 'Checked in production.', '']),
  });
}

export interface EmergencySpec {
  readonly requester: string;
  readonly service: string;
  readonly title: string;
  readonly description: string;
  readonly whatHappened: string;
  readonly followUps: string;
}

/**
 * An emergency at any hour: an on-call lead approves, it starts at once (early
 * start), security and the CTO decide afterwards, and it is reviewed and verified.
 */
export async function* emergencyStory(sim: Sim, spec: EmergencySpec): Story {
  const { deps, random } = sim;
  const requester = sim.person(spec.requester);
  const change = await createChange(deps, requester, {
    title: spec.title,
    description: spec.description,
    type: 'emergency',
    services: [spec.service],
    answers: {
      tested: false,
      consequenceOfNotReleasing: 'Customers cannot complete checkout until it is fixed',
      rollbackPlan: 'Redeploy the previous release',
      risk: 'high',
    },
    links: [],
  });
  sim.created.add(change.id);
  yield sim.after(sim.now, 2, 8);
  await submitChange(deps, requester, change.id);
  const lead = random.pick(sim.membersOf('on-call-leads', [spec.requester]));
  yield sim.after(sim.now, 4, 25);
  await decideChange(deps, sim.person(lead), change.id, 'approve', {
    comment: 'Go ahead, I am watching the dashboards.',
  });
  yield sim.after(sim.now, 2, 10);
  await moveChange(deps, requester, change.id, 'start');
  yield sim.after(sim.now, 25, 110);
  await moveChange(deps, requester, change.id, 'complete', {
    comment: 'Error rate back to normal.',
  });
  for (const group of ['security', 'cto']) {
    const approver = random.pick(sim.membersOf(group, [spec.requester, lead]));
    yield sim.within(approver, sim.now, 10, 150);
    await decideChange(deps, sim.person(approver), change.id, 'approve', {});
  }
  yield sim.within(spec.requester, sim.now, 60, 20 * 60);
  await reviewChange(deps, requester, change.id, {
    answers: { whatHappened: spec.whatHappened, followUps: spec.followUps },
  });
  yield sim.within(spec.requester, sim.now, 5, 90);
  await moveChange(deps, requester, change.id, 'verify');
}

/** A standard change from the catalog (`rotate-tls-cert`): approved as it is submitted. */
export async function* standardStory(
  sim: Sim,
  spec: { readonly requester: string; readonly service: string; readonly host: string },
): Story {
  const { deps } = sim;
  const requester = sim.person(spec.requester);
  const change = await createChange(deps, requester, {
    title: `Rotate the TLS certificate for ${spec.host}`,
    description: `The certificate for ${spec.host} expires in 14 days; the renewed one is in the vault.`,
    type: 'standard',
    template: 'rotate-tls-cert',
    services: [spec.service],
    answers: { testResults: sim.ciRun('certificates') },
  });
  sim.created.add(change.id);
  yield sim.within(spec.requester, sim.now, 2, 20);
  const { change: approved } = await submitChange(deps, requester, change.id);
  yield sim.startableFrom(approved, spec.requester, sim.within(spec.requester, sim.now, 10, 180));
  await moveChange(deps, requester, change.id, 'start');
  yield sim.after(sim.now, 5, 25);
  await moveChange(deps, requester, change.id, 'complete');
  if (sim.random.chance(0.3)) return;
  yield sim.within(spec.requester, sim.now, 30, 600);
  await moveChange(deps, requester, change.id, 'verify', { comment: 'New expiry date checked.' });
}

export interface HostingSpec {
  readonly requester: string;
  readonly title: string;
  readonly description: string;
  readonly outcome: 'approve' | 'defer' | 'reject';
}

/**
 * A change to the supplier's edge: Olu approves by his signed link, and the Acme
 * Hosting CAB (which holds such changes) records its outcome at its Thursday sitting.
 */
export async function* hostingStory(sim: Sim, spec: HostingSpec): Story {
  const { deps } = sim;
  const requester = sim.person(spec.requester);
  const meeting = sim.meeting('Acme Hosting CAB');
  const kim = sim.person(sim.membersOf('change-managers')[0]!);
  const change = await createChange(deps, requester, {
    title: spec.title,
    description: spec.description,
    type: 'normal',
    services: ['edge'],
    answers: answersFor(sim, ['edge'], 'medium'),
    links: [],
  });
  sim.created.add(change.id);
  yield sim.within(spec.requester, sim.now, 5, 60);
  await submitChange(deps, requester, change.id);
  const olu = sim.membersOf('hosting-supplier')[0]!;
  yield sim.within(olu, sim.now, 60, 20 * 60);
  await decideChange(deps, sim.person(olu), change.id, 'approve', { via: 'external-link' });

  let outcome = spec.outcome;
  for (;;) {
    const sitting = sim.nextSitting(meeting, sim.now);
    if (sitting === undefined) return;
    yield sitting;
    const minutes = {
      approve: 'Acme confirmed the maintenance window and the rollback contact.',
      defer: 'Acme wants to pair it with next week’s firmware upgrade.',
      reject:
        'Acme will not change the origin shield during their data-centre move; raise it again in January.',
    }[outcome];
    const acted = await discussChange(deps, kim, change.id, {
      meeting: meeting.name,
      outcome,
      minutes,
    });
    if (outcome !== 'defer') {
      if (outcome === 'reject') return;
      yield sim.startableFrom(
        acted.change,
        spec.requester,
        sim.within(spec.requester, sim.now, 60, 24 * 60),
      );
      break;
    }
    outcome = 'approve';
  }
  await moveChange(deps, requester, change.id, 'start');
  yield sim.after(sim.now, 20, 60);
  await moveChange(deps, requester, change.id, 'complete');
}

export interface PullRequestSpec {
  readonly number: number;
  /** GitHub logins, as the example policy gives them. */
  readonly author: string;
  readonly reviewer: string;
  readonly title: string;
  readonly risk: Exclude<Risk, 'high'>;
}

const REPOSITORY = 'example-corp/payments-api';

/**
 * A change drafted when its pull request is approved on GitHub, then answered
 * and submitted by its author, merged, and deployed: GitHub's deployment
 * statuses start and complete it.
 */
export async function* pullRequestStory(sim: Sim, spec: PullRequestSpec): Story {
  const { deps, random } = sim;
  const pullRequest = {
    repository: REPOSITORY,
    number: spec.number,
    url: `https://github.com/${REPOSITORY}/pull/${spec.number}`,
    title: spec.title,
    body: `${spec.title}.\n\nReviewed on GitHub; see the pull request for the diff.`,
    headSha: random.hex(40),
    author: spec.author,
  };
  const drafted = await deliver(sim, 'pull_request_review', 'submitted', {
    kind: 'review-approved',
    pullRequest,
    reviewer: spec.reviewer,
  });
  if (drafted === null) return;
  sim.created.add(drafted);
  const draft = await deps.store.read.changes.find(drafted);
  const requesterId = draft?.requester;
  if (!draft || !requesterId) return;
  const requester = sim.person(requesterId);
  yield sim.within(requesterId, sim.now, 10, 240);
  const plannedStart = sim.within(requesterId, sim.now, 60, 8 * 60);
  const edited = await editChange(deps, requester, drafted, {
    version: draft.version,
    answers: answersFor(sim, ['payments'], spec.risk),
    plannedStart: new Date(plannedStart).toISOString(),
    plannedEnd: new Date(plannedStart + HOUR).toISOString(),
  });
  await submitChange(deps, requester, drafted, { version: edited.change.version });
  const approver = random.pick(sim.membersOf('payments-owners', [requesterId]));
  yield sim.within(approver, sim.now, 15, 240);
  const { change: approved } = await decideChange(
    deps,
    sim.person(approver),
    drafted,
    'approve',
    {},
  );

  yield sim.within(requesterId, sim.now, 5, 60);
  const mergeSha = random.hex(40);
  await deliver(sim, 'pull_request', 'closed', { kind: 'merged', pullRequest, mergeSha });
  yield sim.startableFrom(approved, requesterId, sim.after(sim.now, 3, 12));
  for (const state of ['in_progress', 'success'] as const) {
    const moved = await deliver(sim, 'deployment_status', 'created', {
      kind: 'deployment',
      deployment: {
        repository: REPOSITORY,
        sha: mergeSha,
        state,
        environment: 'production',
        productionEnvironment: true,
        url: `https://github.com/${REPOSITORY}/actions/runs/${random.int(9_000_000, 9_999_999)}`,
      },
    });
    // Should GitHub's report not move it (it never does in this history), its requester would.
    if (moved === null)
      await moveChange(deps, requester, drafted, state === 'success' ? 'complete' : 'start');
    if (state === 'in_progress') yield sim.after(sim.now, 6, 20);
  }
}

/** One webhook delivery, as the GitHub route hands it on; the change it drafted or moved, or null. */
async function deliver(
  sim: Sim,
  event: string,
  action: string,
  notice: GithubNotice,
): Promise<number | null> {
  const receipt = await receiveGithubDelivery(
    sim.deps,
    {
      id: `demo-${sim.now.toString(36)}-${sim.random.hex(8)}`,
      event,
      action,
      repository: REPOSITORY,
    },
    notice,
  );
  return receipt.delivery.outcome === 'processed' ? receipt.delivery.changeId : null;
}
