import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Change } from '../domain/change.js';
import type { AuditEvent, EventType } from '../domain/events.js';
import { evaluateApprovals } from '../domain/requirements.js';
import { parsePolicy } from '../policy/load.js';
import { planNotifications, planNudge } from './plan.js';

const source = readFileSync(new URL('../../examples/changeboard.yaml', import.meta.url), 'utf8');
const env = {
  TEAMS_WEBHOOK_URL: 'https://teams.example.com/hook',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x',
};
const loaded = parsePolicy(source, env);
if (!loaded.ok) throw new Error('example policy must load');
const policy = loaded.policy;

const change = (overrides: Partial<Change> = {}): Change => ({
  id: 7,
  title: 'Raise payment retry limit',
  description: '',
  type: 'normal',
  services: ['payments'],
  answers: { risk: 'low' },
  plannedStart: null,
  plannedEnd: null,
  links: [],
  requester: 'priya',
  state: 'pending',
  version: 2,
  round: 1,
  requirements: [{ group: 'payments-owners', count: 1, service: 'payments' }],
  meetings: [],
  createdAt: '2026-11-02T10:00:00.000Z',
  updatedAt: '2026-11-02T10:00:00.000Z',
  submittedAt: '2026-11-02T10:00:00.000Z',
  requestedAt: '2026-11-02T10:00:00.000Z',
  ...overrides,
});

const event = (id: number, type: EventType, data: Record<string, unknown> = {}): AuditEvent => ({
  id,
  changeId: 7,
  type,
  actor: 'priya',
  at: '2026-11-02T10:00:00.000Z',
  data,
  policyHash: 'p',
  prevHash: 'x',
  hash: 'y',
});

let ids = 0;
const ctx = {
  policy,
  now: new Date('2026-11-02T10:00:00Z'),
  emailEnabled: true,
  newId: () => `m${++ids}`,
};
const evaluate = (c: Change) =>
  evaluateApprovals(c.requirements, [], {
    requester: c.requester,
    distinctApprovers: false,
    membersOf: (g) => policy.groups.get(g) ?? [],
  });
const summary = (messages: ReturnType<typeof planNotifications>) =>
  messages
    .map((m) => {
      const payload = m.payload as { template?: string; eventType?: string; event?: AuditEvent };
      return `${m.kind}:${m.target}:${payload.event?.type ?? payload.eventType ?? payload.template}`;
    })
    .sort();

describe('planNotifications', () => {
  it('follows the example policy on submit: channel, approvers, audit sink', () => {
    const c = change();
    const messages = planNotifications(ctx, c, evaluate(c), [event(2, 'submitted')]);
    expect(summary(messages)).toEqual([
      'email:lee:approval-requested',
      'teams:change-board:submitted',
      'webhook:audit-sink:submitted',
    ]);
    // The audit sink's variables are unset: stored dead, with the reason.
    expect(messages.find((m) => m.kind === 'webhook')?.deadReason).toContain('AUDIT_WEBHOOK_URL');
    expect(messages.find((m) => m.kind === 'teams')?.deadReason).toBeUndefined();
  });

  it('keeps what has no URL for the demo inbox in demo mode, instead of dead-lettering it', () => {
    const c = change();
    const messages = planNotifications({ ...ctx, demoInbox: true }, c, evaluate(c), [
      event(2, 'submitted'),
    ]);
    expect(messages.find((m) => m.kind === 'webhook')?.deadReason).toBeUndefined();
  });

  it('tells whom a comment names, once each, and in place of what a rule says about it', () => {
    const watching = {
      ...ctx,
      policy: {
        ...policy,
        notifications: [
          ...policy.notifications,
          { on: ['commented'], to: ['requester', 'tom'], via: 'email' as const },
        ],
      },
    };
    const c = change();
    const commented = (data: Record<string, unknown>) => ({
      ...event(5, 'commented', { body: '@priya is it tested? @kim', ...data }),
      actor: 'lee',
    });
    const messages = planNotifications(watching, c, evaluate(c), [
      commented({ question: true, mentions: ['priya', 'kim'] }),
    ]);
    expect(summary(messages)).toEqual([
      'email:kim:comment',
      'email:priya:comment',
      'email:tom:commented',
      'webhook:audit-sink:commented',
    ]);
    expect(messages.find((m) => m.target === 'priya')!.payload).toEqual({
      template: 'comment',
      why: 'question',
      eventId: 5,
      actor: 'lee',
      comment: '@priya is it tested? @kim',
    });
    // 07:00 in New York: a mention waits for the working day like any personal message.
    const answered = planNotifications(ctx, c, evaluate(c), [
      event(6, 'commented', { body: 'Yes, @lee', answering: ['lee'], mentions: ['lee'] }),
    ]);
    const toLee = answered.find((m) => m.target === 'lee')!;
    expect(toLee.payload).toMatchObject({ template: 'comment', why: 'answer' });
    expect(toLee.notBefore).toBe('2026-11-02T14:00:00.000Z');
  });

  it('sends one card per channel per action: the last event wins', () => {
    const c = change({ type: 'standard', state: 'approved', requirements: [] });
    const messages = planNotifications(ctx, c, evaluate(c), [
      event(2, 'submitted'),
      event(3, 'approved'),
    ]);
    const cards = messages.filter((m) => m.kind === 'teams');
    expect(cards).toHaveLength(1);
    expect(cards[0]!.payload).toMatchObject({ eventType: 'approved', eventId: 3 });
    expect(summary(messages)).toContain('email:priya:approved');
  });

  it('tells the emergency channel about emergencies, at once', () => {
    const c = change({
      type: 'emergency',
      requirements: [
        { group: 'on-call-leads', count: 1 },
        { group: 'security', count: 1 },
        { group: 'cto', count: 1 },
      ],
    });
    const messages = planNotifications(ctx, c, evaluate(c), [event(2, 'submitted')]);
    expect(messages.filter((m) => m.kind === 'teams')).toHaveLength(1);
    const emails = messages.filter((m) => m.kind === 'email');
    expect(emails.map((m) => m.target).sort()).toEqual(['ana', 'lee', 'sam', 'tom']);
    expect(emails.every((m) => m.notBefore === '2026-11-02T10:00:00.000Z')).toBe(true);
  });

  it('holds person-directed mail for working hours', () => {
    const c = change();
    const [mail] = planNotifications(ctx, c, evaluate(c), [event(2, 'submitted')]).filter(
      (m) => m.kind === 'email',
    );
    expect(mail!.notBefore).toBe('2026-11-02T14:00:00.000Z');
  });

  it('marks e-mail dead when SMTP is not configured', () => {
    const c = change();
    const [mail] = planNotifications({ ...ctx, emailEnabled: false }, c, evaluate(c), [
      event(2, 'submitted'),
    ]).filter((m) => m.kind === 'email');
    expect(mail!.deadReason).toBe('e-mail is not configured: set SMTP_URL');
  });

  it('asks approvers again after an edit of a pending change', () => {
    const c = change({ round: 2 });
    const messages = planNotifications(ctx, c, evaluate(c), [
      event(5, 'edited'),
      event(6, 'approvals-withdrawn'),
    ]);
    expect(summary(messages)).toEqual([
      'email:lee:approval-requested',
      'email:priya:approvals-withdrawn',
      'webhook:audit-sink:approvals-withdrawn',
      'webhook:audit-sink:edited',
    ]);
  });

  it('drafts from a pull request tell the requester and the service channels', () => {
    const c = change({ state: 'draft', requirements: [] });
    const messages = planNotifications(ctx, c, evaluate(c), [
      event(1, 'created', { source: 'github' }),
    ]);
    expect(summary(messages)).toEqual([
      'email:priya:draft-from-pull-request',
      'teams:change-board:created',
      'webhook:audit-sink:created',
    ]);
  });

  describe('after an early start', () => {
    const emergency = (overrides: Partial<Change> = {}) =>
      change({
        type: 'emergency',
        state: 'in_progress',
        requirements: [
          { group: 'on-call-leads', count: 1 },
          { group: 'security', count: 1 },
          { group: 'cto', count: 1 },
        ],
        ...overrides,
      });
    const approvedBy = (c: Change, people: string[]) =>
      evaluateApprovals(
        c.requirements,
        people.map((person) => ({
          changeId: 7,
          round: 1,
          person,
          verdict: 'approve' as const,
          comment: null,
          at: '2026-11-02T10:00:00.000Z',
        })),
        {
          requester: c.requester,
          distinctApprovers: true,
          membersOf: (g) => policy.groups.get(g) ?? [],
        },
      );

    it('reminds the approvals still open, in progress or completed, and nobody once all are in', () => {
      for (const state of ['in_progress', 'completed'] as const) {
        const c = emergency({ state });
        expect(summary(planNudge(ctx, c, approvedBy(c, ['lee']), 'reminder'))).toEqual([
          'email:sam:reminder',
          'email:tom:reminder',
        ]);
      }
      const c = emergency();
      expect(planNudge(ctx, c, approvedBy(c, ['lee', 'tom', 'sam']), 'reminder')).toEqual([]);
      // A type without earlyStart that is under way asks nobody.
      const normal = change({ state: 'in_progress' });
      expect(planNudge(ctx, normal, evaluate(normal), 'reminder')).toEqual([]);
    });

    it('tells the requester and the service channels of a rejection at once, as a rejection', () => {
      const c = emergency();
      const rejected = {
        ...event(9, 'approval-rejected', { comment: 'opens port 22', round: 1, afterStart: true }),
        actor: 'tom',
      };
      const messages = planNotifications(ctx, c, approvedBy(c, ['lee']), [rejected]);
      expect(summary(messages)).toEqual([
        'email:priya:approval-rejected',
        'teams:change-board:approval-rejected',
        'webhook:audit-sink:approval-rejected',
      ]);
      for (const m of messages.filter((m) => m.kind !== 'webhook')) {
        expect(m.payload).toMatchObject({
          template: 'event',
          eventType: 'approval-rejected',
          actor: 'tom',
          comment: 'opens port 22',
          afterStart: true,
        });
        // An emergency interrupts: nobody's working hours hold it.
        expect(m.notBefore).toBe('2026-11-02T10:00:00.000Z');
      }
      // Out of Priya's hours (01:30 in Kolkata) too.
      const night = { ...ctx, now: new Date('2026-11-02T20:00:00Z') };
      const mail = planNotifications(night, c, approvedBy(c, ['lee']), [rejected]).find(
        (m) => m.kind === 'email',
      );
      expect(mail?.notBefore).toBe('2026-11-02T20:00:00.000Z');
    });

    it('leaves a rejection before the start to the rules for `rejected`', () => {
      const c = change({ state: 'rejected' });
      const messages = planNotifications(ctx, c, evaluate(c), [
        { ...event(9, 'approval-rejected', { comment: 'no', round: 1 }), actor: 'lee' },
        { ...event(10, 'rejected', { comment: 'no' }), actor: 'lee' },
      ]);
      expect(summary(messages)).toEqual([
        'email:priya:rejected',
        'teams:change-board:rejected',
        'webhook:audit-sink:approval-rejected',
        'webhook:audit-sink:rejected',
      ]);
      expect(messages.some((m) => (m.payload as { afterStart?: true }).afterStart)).toBe(false);
    });
  });

  it('plans reminders for open approvers and escalations for the escalation group', () => {
    const c = change();
    expect(summary(planNudge(ctx, c, evaluate(c), 'reminder'))).toEqual(['email:lee:reminder']);
    expect(summary(planNudge(ctx, c, evaluate(c), 'escalation'))).toEqual(['email:kim:escalation']);
  });
});
