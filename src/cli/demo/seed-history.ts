import type { Store } from '../../app/ports.js';
import type { Policy } from '../../domain/policy.js';
import { ManualClock } from '../../shared/clock.js';
import { SeededRandom } from '../../shared/seeded-random.js';
import { DAY, HOUR, Sim } from './sim.js';
import {
  emergencyStory,
  hostingStory,
  normalStory,
  pullRequestStory,
  standardStory,
  type EmergencySpec,
  type NormalSpec,
  type Risk,
} from './stories.js';
import { Timeline } from './timeline.js';

/**
 * The demo's history: about twelve weeks of the example team's changes, ending
 * now, so the board, the audit trail and the insights have something to show
 * on first start. Written for examples/changeboard.yaml (its people, services,
 * template and meetings) and run only on the demo's database (commands/demo.ts).
 *
 * Deterministic: one seeded generator decides everything, so the same "now"
 * gives the same history. Its shape:
 * - normal changes to payments and the website, mostly decided within hours,
 *   inside the approvers' working hours; a few rejected with a reason (some
 *   raised again), some edited after a first approval and approved again, a few
 *   questions on the timeline, a withdrawal, a draft or two still open;
 * - one class of identical low-risk website changes (release notes), all
 *   approved and completed: what insights offers as a standard change;
 * - emergencies at odd hours, started early, completed, reviewed and verified;
 * - two failures, one reviewed and one whose review is overdue;
 * - TLS certificates rotated from the standard change catalog;
 * - edge changes held for the Acme Hosting CAB, decided at its sittings;
 * - changes drafted from approved pull requests and moved by deployments.
 */

export const DEMO_SEED = 20_261_207;

export interface SeedSummary {
  readonly from: Date;
  readonly to: Date;
  readonly changes: number;
  readonly byState: Readonly<Record<string, number>>;
}

export async function seedDemoHistory(
  base: { readonly policy: Policy; readonly store: Store },
  options: {
    readonly now: Date;
    readonly weeks?: number;
    readonly seed?: number;
    /** Changes the database holds already (`--force`): pull request numbers start after them. */
    readonly existingChanges?: number;
  },
): Promise<SeedSummary> {
  const weeks = options.weeks ?? 12;
  const from = new Date(options.now.getTime() - weeks * 7 * DAY);
  const clock = new ManualClock(from);
  // No subscribers: the history is not notified. It is weeks old when it is written, and its
  // approval requests and reminders would flood the demo inbox (or Teams and Slack, where their
  // URLs are set). So no outbox rows are planned for it, and no open board hears of it live.
  const sim = new Sim(
    { policy: base.policy, store: base.store, clock, subscribers: [] },
    clock,
    new SeededRandom(options.seed ?? DEMO_SEED),
    options.now,
  );
  const timeline = new Timeline(clock, options.now);
  plan(sim, timeline, from.getTime(), weeks, options.existingChanges ?? 0);
  await timeline.play();

  const byState: Record<string, number> = {};
  for (const change of await base.store.read.changes.findMany([...sim.created]))
    byState[change.state] = (byState[change.state] ?? 0) + 1;
  return { from, to: options.now, changes: sim.created.size, byState };
}

const PAYMENTS_TITLES = [
  'Raise the card payment retry limit from 3 to 5',
  'Upgrade the Stripe SDK',
  'Add an index on payments.created_at',
  'Enable 3-D Secure for UK cards',
  'Move refund jobs to the new queue',
  'Lower the settlement batch size',
  'Idempotency keys for payouts',
  'Update the PayPal webhook endpoints',
  'Upgrade Node.js on payments-api',
  'Round JPY amounts to whole yen',
  'Tune the database connection pool for peak hours',
  'Remove the legacy /v1/charge endpoint',
  'Render invoices with the new PDF service',
  'Expire abandoned checkout sessions after 24 hours',
];

const WEBSITE_TITLES = [
  'Switch the pricing page to the new plans',
  'Upgrade the site framework',
  'Serve images from the new CDN bucket',
  'New sign-up form',
  'Cookie consent banner v2',
  'Launch the German site',
  'Replace the site search provider',
  'Regenerate the sitemap nightly',
];

const REJECTIONS = [
  'The rollback plan does not say what happens to payments captured in between. Please spell it out.',
  'This overlaps the quarter-end settlement run; pick a window after the 3rd.',
  'No load test for the new index: please attach one from staging.',
  'The test results link is for the previous build.',
];

const PR_TITLES = [
  'Retry webhooks with exponential backoff',
  'Log the acquirer response code on declines',
  'Validate IBANs before creating payouts',
  'Cache exchange rates for 60 seconds',
  'Return 409 on duplicate refund requests',
  'Drop the unused merchant_notes column',
  'Time out acquirer calls after 8 seconds',
  'Add the payout status endpoint',
];

/** Where the plan puts things in time. */
interface Calendar {
  readonly sim: Sim;
  readonly timeline: Timeline;
  readonly start: number;
  readonly weeks: number;
  /** A moment in week `w` (0 = the oldest), `dayOffset` days into it (any day by default), at any hour. */
  readonly inWeek: (w: number, dayOffset?: number) => number;
  /** `time`, moved into `who`'s working hours. */
  readonly at: (who: string, time: number) => number;
}

function plan(
  sim: Sim,
  timeline: Timeline,
  start: number,
  weeks: number,
  existingChanges: number,
): void {
  const { random } = sim;
  const calendar: Calendar = {
    sim,
    timeline,
    start,
    weeks,
    inWeek: (w, dayOffset = random.int(0, 6)) =>
      start + w * 7 * DAY + dayOffset * DAY + random.int(0, 23) * HOUR,
    at: (who, time) => sim.within(who, time, 0, 30),
  };
  // Another history (--force) drafts from other pull requests: a PR already drafted is not again.
  const counters = { release: 40, pullRequest: 880 + existingChanges };
  for (let w = 0; w < weeks; w++) planWeek(calendar, w, counters);
  planCertificates(calendar);
  planEmergencies(calendar);
  planFailures(calendar);
  planHostingChanges(calendar);
  planLastDays(calendar);
}

/** One week of ordinary work. */
function planWeek(
  calendar: Calendar,
  w: number,
  counters: { release: number; pullRequest: number },
): void {
  const { sim, timeline, inWeek, at, weeks } = calendar;
  const { random } = sim;
  // Payments: the busiest service, mostly Priya's changes.
  for (let i = 0; i < 4; i++) {
    const requester = random.pick(['priya', 'priya', 'priya', 'lee', 'tom']);
    const risk = random.pick<Risk>(['low', 'low', 'medium', 'medium', 'high']);
    const title = random.pick(PAYMENTS_TITLES);
    const rejected = risk !== 'low' && random.chance(0.15);
    const spec: NormalSpec = {
      requester,
      services: ['payments'],
      risk,
      title,
      description: `${title}. Tested on staging; the rollback is a redeploy.`,
      ending: rejected ? 'rejected' : random.chance(0.6) ? 'verified' : 'completed',
      question: random.chance(0.2),
      ...(rejected && {
        rejection: random.pick(REJECTIONS),
        ...(random.chance(0.6) && {
          retry: {
            requester,
            services: ['payments'],
            risk,
            title: `${title} (second attempt)`,
            description: `${title}, with the gaps from the first review filled in.`,
            ending: 'verified',
          },
        }),
      }),
    };
    timeline.add(at(requester, inWeek(w)), normalStory(sim, spec));
  }
  // The website: medium-risk work by its owners (and Priya, for the payment pages).
  for (let i = 0; i < 2; i++) {
    const requester = random.pick(['dev', 'ana', 'priya']);
    const title = random.pick(WEBSITE_TITLES);
    const rejected = random.chance(0.1);
    timeline.add(
      at(requester, inWeek(w)),
      normalStory(sim, {
        requester,
        services: ['website'],
        risk: random.chance(0.15) ? 'high' : 'medium',
        title,
        description: `${title}.`,
        ending: rejected ? 'rejected' : random.chance(0.5) ? 'verified' : 'completed',
        question: random.chance(0.15),
        ...(rejected && { rejection: 'Marketing asked to hold this until the campaign ends.' }),
      }),
    );
  }
  // The class insights should find: release notes, the same low-risk change every week, never a problem.
  // None in the last days or before a long freeze, so every one is approved and completed by now.
  for (let i = 0; i < (w % 3 === 0 ? 1 : 2); i++) {
    const time = inWeek(w);
    const subject = { type: 'normal', services: ['website'] };
    if (time > sim.end - 8 * DAY || sim.isLongFrozen(subject, time, time + 8 * DAY)) continue;
    const requester = random.pick(['dev', 'ana']);
    counters.release++;
    timeline.add(
      at(requester, time),
      normalStory(sim, {
        requester,
        services: ['website'],
        risk: 'low',
        title: `Publish the release notes for 4.${counters.release}`,
        description: `Release notes for 4.${counters.release} on /changelog, reviewed by the product team.`,
        ending: random.chance(0.5) ? 'verified' : 'completed',
      }),
    );
  }
  // Every third week, a change to both payments and the website, re-planned after its first approval.
  if (w % 3 === 2)
    timeline.add(
      at('priya', inWeek(w, 1)),
      normalStory(sim, {
        requester: 'priya',
        services: ['payments', 'website'],
        risk: 'low',
        title: 'Show saved cards on the checkout page',
        description: 'The payments API exposes saved cards; the website shows them at checkout.',
        ending: 'verified',
        edited: true,
      }),
    );
  if (w % 2 === 0 || w === weeks - 1) {
    counters.pullRequest += random.int(3, 17);
    const author = random.pick(['priya-s', 'priya-s', 'leewong']);
    timeline.add(
      inWeek(w),
      pullRequestStory(sim, {
        number: counters.pullRequest,
        author,
        reviewer: author === 'leewong' ? 'priya-s' : 'leewong',
        title: random.pick(PR_TITLES),
        risk: random.pick(['low', 'medium'] as const),
      }),
    );
  }
}

/** TLS certificates rotated from the catalog, spread over the weeks. */
function planCertificates(calendar: Calendar): void {
  const { sim, timeline, inWeek, at, weeks } = calendar;
  for (const [i, host] of [
    'www.example.com',
    'pay.example.com',
    'api.example.com',
    'docs.example.com',
    'checkout.example.com',
    'status.example.com',
    'hooks.example.com',
    'shop.example.com',
  ].entries()) {
    const requester = ['ana', 'priya', 'lee', 'ana'][i % 4]!;
    const service =
      host.startsWith('www') || host.startsWith('docs') || host.startsWith('shop')
        ? 'website'
        : 'payments';
    timeline.add(
      at(requester, inWeek(Math.min(weeks - 1, Math.round((i * weeks) / 8)))),
      standardStory(sim, { requester, service, host }),
    );
  }
}

const EMERGENCIES: readonly EmergencySpec[] = [
  {
    requester: 'priya',
    service: 'payments',
    title: 'Roll back the acquirer timeout change',
    description: 'Card payments time out after the acquirer moved data centres.',
    whatHappened:
      'The acquirer’s new endpoint answered in 9 s; our timeout was 8 s. Alerts fired at 02:14.',
    followUps: 'Alert on acquirer latency: https://github.com/example-corp/payments-api/issues/902',
  },
  {
    requester: 'dev',
    service: 'website',
    title: 'Block the credential-stuffing traffic on /login',
    description: 'A bot network is trying leaked passwords against the login form.',
    whatHappened: 'Login failures rose 40×; rate limiting by ASN stopped it within the hour.',
    followUps: 'Move the rule into the WAF baseline',
  },
  {
    requester: 'lee',
    service: 'payments',
    title: 'Restart the stuck payout workers',
    description: 'Payouts have not left since 23:00; the queue is at 12,000.',
    whatHappened: 'A poison message blocked the queue; it is now dead-lettered after 5 attempts.',
    followUps: 'https://github.com/example-corp/payments-api/issues/917',
  },
  {
    requester: 'priya',
    service: 'payments',
    title: 'Disable Apple Pay while the token service is down',
    description: 'Apple Pay payments fail for everyone; cards still work.',
    whatHappened:
      'Our token service certificate expired over the weekend; Apple Pay failed closed.',
    followUps: 'Add the token service to the certificate rotation catalog',
  },
  {
    requester: 'ana',
    service: 'website',
    title: 'Purge the CDN cache after the broken deploy',
    description: 'Visitors get a blank page from stale cached assets.',
    whatHappened: 'A deploy renamed assets without cache-busting; the purge fixed it in minutes.',
    followUps: 'Hash asset names in the build',
  },
];

/** Emergencies, spread over the weeks, at any hour (the last only days ago). */
function planEmergencies(calendar: Calendar): void {
  const { sim, timeline, inWeek } = calendar;
  const { random } = sim;
  for (const [i, spec] of EMERGENCIES.entries()) {
    const time =
      i === EMERGENCIES.length - 1 ? sim.end - random.int(2, 4) * DAY : inWeek(1 + i * 2);
    timeline.add(time + random.int(0, 59) * 60_000, emergencyStory(sim, spec));
  }
}

/** Two failures: one reviewed weeks ago, one whose review (due in 2 days) is overdue now. */
function planFailures(calendar: Calendar): void {
  const { sim, timeline, inWeek, at, start } = calendar;
  // The overdue one happens about ten days ago, or earlier should a long freeze forbid it then.
  let recent = sim.end - 10 * DAY;
  const payments = { type: 'normal', services: ['payments'] };
  while (sim.isLongFrozen(payments, recent, recent + 5 * DAY) && recent > start + 14 * DAY)
    recent -= DAY;
  for (const [time, ending] of [
    [inWeek(3, 2), 'failed'],
    [recent, 'failed-unreviewed'],
  ] as const)
    timeline.add(
      at('priya', time),
      normalStory(sim, {
        requester: 'priya',
        services: ['payments'],
        risk: 'medium',
        title: 'Switch payouts to the new bank connector',
        description: 'Payouts move to the bank’s new API; the old one is switched off next month.',
        ending,
      }),
    );
}

/** Edge changes, held for the Acme Hosting CAB. */
function planHostingChanges(calendar: Calendar): void {
  const { sim, timeline, inWeek, at } = calendar;
  const { random } = sim;
  const hosting: { title: string; outcome: 'approve' | 'defer' | 'reject' }[] = [
    { title: 'Raise the CDN cache TTL for images to 7 days', outcome: 'approve' },
    { title: 'Add the new origin servers to the load balancer pool', outcome: 'defer' },
    { title: 'Enable the origin shield in Frankfurt', outcome: 'reject' },
    { title: 'Turn on HTTP/3 at the edge', outcome: 'approve' },
  ];
  for (const [i, spec] of hosting.entries()) {
    const requester = random.pick(['dev', 'lee']);
    timeline.add(
      at(requester, inWeek(2 + i * 3, 0)),
      hostingStory(sim, {
        requester,
        title: spec.title,
        description: `${spec.title}. Acme Hosting carries it out in their window.`,
        outcome: spec.outcome,
      }),
    );
  }
}

/** Work of the last days: a draft being written, one withdrawn. */
function planLastDays(calendar: Calendar): void {
  const { sim, timeline, inWeek, at, weeks } = calendar;
  const lastDay = sim.end - DAY;
  timeline.add(
    at('priya', lastDay),
    normalStory(sim, {
      requester: 'priya',
      services: ['payments'],
      risk: 'medium',
      title: 'Split the payments database into read and write pools',
      description: 'Draft: still collecting the load test results.',
      ending: 'draft',
    }),
  );
  timeline.add(
    at('lee', inWeek(weeks - 3)),
    normalStory(sim, {
      requester: 'lee',
      services: ['payments'],
      risk: 'low',
      title: 'Bump the fraud score threshold',
      description: 'Fewer false positives on small payments.',
      ending: 'withdrawn',
    }),
  );
}
