import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_AGENDA_LEAD_TIME_MS, DEFAULT_WORKING_HOURS } from '../domain/policy.js';
import type { Policy } from '../domain/policy.js';
import { formatProblem, loadPolicyFile, parsePolicy, type PolicyProblem } from './load.js';

const EXAMPLE_PATH = fileURLToPath(new URL('../../examples/changeboard.yaml', import.meta.url));
/** The reference copy beside PRODUCT.md, when this checkout sits next to it. */
const SHARED_EXAMPLE_PATH = fileURLToPath(
  new URL('../../../shared/examples/changeboard.yaml', import.meta.url),
);
const EXAMPLE = readFileSync(EXAMPLE_PATH, 'utf8');
/** The policy as PRODUCT.md's next capabilities will have it, beside PRODUCT.md. */
const NEXT_EXAMPLE_PATH = fileURLToPath(
  new URL('../../../shared/examples/changeboard-next.yaml', import.meta.url),
);

const ENV = {
  TEAMS_WEBHOOK_URL: 'https://example.webhook.office.com/webhookb2/abc',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXX',
  AUDIT_WEBHOOK_URL: 'https://audit.example.com/changeboard',
  AUDIT_WEBHOOK_SECRET: 's3cret',
};

/**
 * The next reference example, loaded whole. It is tested for loading and for what
 * it lists, never against this project's example or exact values: it is its own file.
 */
function loadNextExample(): Policy {
  const result = parsePolicy(readFileSync(NEXT_EXAMPLE_PATH, 'utf8'), ENV);
  expect(result.ok ? [] : result.problems).toEqual([]);
  if (!result.ok) throw new Error('the next reference example should load');
  return result.policy;
}

/** The entries of one top-level list of the next reference example, as its YAML says. */
function listedIn(key: string): { name?: string; id?: string }[] {
  const document = parseYaml(readFileSync(NEXT_EXAMPLE_PATH, 'utf8')) as Record<string, unknown>;
  return (document[key] ?? []) as { name?: string; id?: string }[];
}

/** The example with each `[from, to]` replaced; every `from` must occur exactly once, so a changed example fails loudly. */
function variant(...edits: [from: string, to: string][]): string {
  let text = EXAMPLE;
  for (const [from, to] of edits) {
    expect(text.split(from).length - 1, `"${from}" should occur once in the example`).toBe(1);
    text = text.replace(from, to);
  }
  return text;
}

function problemsOf(text: string, env: Record<string, string> = ENV): readonly PolicyProblem[] {
  const result = parsePolicy(text, env);
  if (result.ok) throw new Error('expected the policy to be rejected, but it loaded');
  return result.problems;
}

function errorsOf(
  text: string,
  env: Record<string, string> = ENV,
): { path: string; message: string }[] {
  return problemsOf(text, env)
    .filter((p) => p.severity === 'error')
    .map(({ path, message }) => ({ path, message }));
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  expect(index, `"${needle}" should be in the text`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe('the bundled example', () => {
  it('loads without errors', () => {
    const result = parsePolicy(EXAMPLE, ENV);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.source).toBe(EXAMPLE);
  });

  it.skipIf(!existsSync(SHARED_EXAMPLE_PATH))('the reference example loads as it is', () => {
    const result = parsePolicy(readFileSync(SHARED_EXAMPLE_PATH, 'utf8'), ENV);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it.skipIf(!existsSync(NEXT_EXAMPLE_PATH))('the next reference example loads as it is', () => {
    loadNextExample();
  });

  it('warns once per channel whose variables are unset, and still loads', () => {
    const result = parsePolicy(EXAMPLE, {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(
      result.warnings.map(({ path, message, severity }) => ({ path, message, severity })),
    ).toEqual([
      {
        path: 'channels.change-board',
        message: 'environment variable TEAMS_WEBHOOK_URL not set: the channel will be skipped',
        severity: 'warning',
      },
      {
        path: 'channels.releases',
        message: 'environment variable SLACK_WEBHOOK_URL not set: the channel will be skipped',
        severity: 'warning',
      },
      {
        path: 'channels.audit-sink',
        message:
          'environment variables AUDIT_WEBHOOK_URL, AUDIT_WEBHOOK_SECRET not set: the channel will be skipped',
        severity: 'warning',
      },
    ]);
    // A path to a mapping points at its first entry, the line below the key.
    expect(result.warnings[0]!.line).toBe(lineOf(EXAMPLE, '  change-board:') + 1);
    const channel = result.policy.channels.get('audit-sink')!;
    expect(channel.url).toBeUndefined();
    expect(channel.missingVariables).toEqual(['AUDIT_WEBHOOK_URL', 'AUDIT_WEBHOOK_SECRET']);
  });

  it('builds the domain policy from it', () => {
    const result = parsePolicy(EXAMPLE, ENV);
    if (!result.ok) throw new Error('the example should load');
    const { policy } = result;
    expect(policy.version).toBe(1);
    expect(policy.organization).toBe('Example Corp');
    expect(policy.hash).toBe(createHash('sha256').update(EXAMPLE).digest('hex'));

    expect([...policy.people.keys()]).toEqual([
      'sam',
      'priya',
      'lee',
      'ana',
      'tom',
      'kim',
      'dev',
      'olu',
    ]);
    expect(policy.people.get('sam')).toMatchObject({ deputy: 'kim', external: false });
    expect(policy.people.get('olu')).toMatchObject({ external: true });
    expect(policy.externalLinkTtlMs).toBe(7 * 24 * 3_600_000);
    expect(policy.people.get('priya')).toMatchObject({
      timezone: 'Asia/Kolkata',
      workingHours: { days: [1, 2, 3, 4, 5], start: 9 * 60 + 30, end: 18 * 60 },
      admin: false,
      github: 'priya-s',
    });
    expect(policy.people.get('sam')!.workingHours).toEqual(DEFAULT_WORKING_HOURS);
    expect(policy.people.get('dev')!.admin).toBe(true);

    expect(policy.groups.get('on-call-leads')).toEqual(['lee', 'ana']);
    expect(policy.channels.get('audit-sink')).toEqual({
      id: 'audit-sink',
      type: 'webhook',
      url: 'https://audit.example.com/changeboard',
      secret: 's3cret',
      missingVariables: [],
    });
    expect(policy.channels.get('releases')!.url).toBe(
      'https://hooks.slack.com/services/T000/B000/XXX',
    );

    expect(policy.fields.map((f) => f.id)).toEqual([
      'tested',
      'testResults',
      'consequenceOfNotReleasing',
      'rollbackPlan',
      'risk',
    ]);
    expect(policy.fields[1]!.required).toEqual({ when: { tested: true } });
    expect(policy.fields[4]!.options).toEqual(['low', 'medium', 'high']);

    expect(policy.services.get('payments')).toEqual({
      id: 'payments',
      name: 'Payments API',
      repositories: ['example-corp/payments-api'],
      environments: [],
      approvers: 'payments-owners',
      notify: ['change-board'],
    });

    expect(policy.changeTypes.get('standard')).toMatchObject({
      approvals: [],
      distinctApprovers: false,
    });
    expect(policy.changeTypes.get('normal')).toMatchObject({
      approvals: [
        { from: 'service-approvers', count: 1 },
        { from: 'change-managers', count: 1, when: { risk: 'high' } },
      ],
      remindAfterMs: 4 * 3_600_000,
      escalateAfterMs: 86_400_000,
      escalateTo: 'change-managers',
      notifyOutsideWorkingHours: false,
    });
    expect(policy.changeTypes.get('emergency')).toMatchObject({
      distinctApprovers: true,
      notifyOutsideWorkingHours: true,
      approvals: [
        { from: 'on-call-leads', count: 1 },
        { from: 'security', count: 1 },
        { from: 'cto', count: 1 },
      ],
      earlyStart: { from: 'on-call-leads', count: 1 },
    });
    expect(policy.changeTypes.get('normal')).not.toHaveProperty('earlyStart');

    expect(policy.notifications).toHaveLength(4);
    expect(policy.notifications[3]).toEqual({
      on: ['submitted'],
      when: { type: 'emergency' },
      to: ['change-board'],
    });
    expect(policy.freezes).toEqual([
      {
        name: 'Year-end freeze',
        from: new Date('2026-12-19T00:00:00Z'),
        to: new Date('2027-01-04T00:00:00Z'),
        allow: ['emergency'],
        services: [],
      },
    ]);
    expect(policy.recurringFreezes).toEqual([
      {
        name: 'Friday afternoons',
        schedule: expect.objectContaining({
          rrule: 'FREQ=WEEKLY;BYDAY=FR',
          at: '15:00',
          timezone: 'Europe/London',
          durationMs: 9 * 3_600_000,
        }),
        allow: ['emergency', 'standard'],
        services: [],
      },
    ]);
    // Fridays from 15:00 London until midnight: 15:00Z in winter, 14:00Z in summer.
    const fridays = policy.recurringFreezes[0]!.schedule;
    expect(
      fridays
        .between(new Date('2026-10-19T00:00:00Z'), new Date('2026-11-01T00:00:00Z'))
        .map(({ start, end }) => [start.toISOString(), end.toISOString()]),
    ).toEqual([
      ['2026-10-23T14:00:00.000Z', '2026-10-23T23:00:00.000Z'],
      ['2026-10-30T15:00:00.000Z', '2026-10-31T00:00:00.000Z'],
    ]);
    expect(policy.meetings).toEqual([
      {
        id: 'weekly-risk-review',
        name: 'Weekly risk review',
        when: { risk: 'high', type: 'normal' },
        schedule: expect.objectContaining({
          rrule: 'FREQ=WEEKLY;BYDAY=TU',
          at: '10:00',
          timezone: 'Europe/London',
          durationMs: 30 * 60_000,
        }),
        attendees: ['change-managers', 'security'],
        agendaLeadTimeMs: DEFAULT_AGENDA_LEAD_TIME_MS,
        hold: false,
      },
      {
        id: 'acme-hosting-cab',
        name: 'Acme Hosting CAB',
        when: { service: 'edge' },
        schedule: expect.objectContaining({
          rrule: 'FREQ=WEEKLY;BYDAY=TH',
          at: '14:00',
          timezone: 'Europe/London',
          durationMs: 3_600_000,
        }),
        attendees: ['hosting-supplier', 'change-managers'],
        agendaLeadTimeMs: 86_400_000,
        hold: true,
      },
    ]);
    // Thursdays at 14:00 London: 14:00Z in winter, 13:00Z in summer.
    const cab = policy.meetings[1]!.schedule!;
    expect(
      cab.next(new Date('2026-10-21T00:00:00Z'), 2).map((sitting) => sitting.start.toISOString()),
    ).toEqual(['2026-10-22T13:00:00.000Z', '2026-10-29T14:00:00.000Z']);
  });

  it('loads from a file', async () => {
    const result = await loadPolicyFile(EXAMPLE_PATH, ENV);
    expect(result.ok).toBe(true);
  });
});

describe('a policy with several mistakes', () => {
  it('lists every one in one pass, misspelt keys with what they most likely mean', () => {
    const text = variant(
      ['    approvals: []', '    aprovals: []'],
      ['      - from: change-managers\n', '      - from: change-managerz\n'],
      ['    remindAfter: 4h', '    remindAftr: 4h'],
      ['    escalateAfter: 1d', '    escalateAftr: 1d'],
    );
    expect(errorsOf(text)).toEqual([
      {
        path: 'changeTypes.standard.aprovals',
        message: 'is not a known setting here (did you mean "approvals"?)',
      },
      {
        path: 'changeTypes.normal.approvals[1].from',
        message: 'unknown group "change-managerz" (did you mean "change-managers"?)',
      },
      {
        path: 'changeTypes.normal.remindAftr',
        message: 'is not a known setting here (did you mean "remindAfter"?)',
      },
      // Read as escalateAfter, so escalateTo does not lose its "after how long" too.
      {
        path: 'changeTypes.normal.escalateAftr',
        message: 'is not a known setting here (did you mean "escalateAfter"?)',
      },
    ]);
  });
});

describe('broken policies: one problem each, with its path', () => {
  it('an unknown key', () => {
    const text = variant(['    admin: true\n', '    admin: true\n    colour: blue\n']);
    const problems = problemsOf(text).filter((p) => p.severity === 'error');
    expect(problems.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: 'people[6].colour', message: 'is not a known setting here' },
    ]);
    expect(problems[0]!.line).toBe(lineOf(text, 'colour: blue'));
  });

  it('an unknown group in an approval rule, with a suggestion and the exact position', () => {
    const text = variant(['      - from: change-managers\n', '      - from: change-managerz\n']);
    const problems = problemsOf(text).filter((p) => p.severity === 'error');
    expect(problems.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: 'changeTypes.normal.approvals[1].from',
        message: 'unknown group "change-managerz" (did you mean "change-managers"?)',
      },
    ]);
    expect(problems[0]!.line).toBe(lineOf(text, '- from: change-managerz'));
    expect(problems[0]!.column).toBe('      - from: '.length + 1);
    expect(formatProblem(problems[0]!, 'changeboard.yaml')).toBe(
      `changeboard.yaml:${problems[0]!.line}:15 error changeTypes.normal.approvals[1].from: unknown group "change-managerz" (did you mean "change-managers"?)`,
    );
  });

  it('lists the known names when nothing is close', () => {
    expect(errorsOf(variant(['      - from: change-managers\n', '      - from: board\n']))).toEqual(
      [
        {
          path: 'changeTypes.normal.approvals[1].from',
          message:
            'unknown group "board" (known: payments-owners, web-owners, security, change-managers, on-call-leads, cto, hosting-supplier)',
        },
      ],
    );
  });

  it('an unknown person in a group', () => {
    expect(errorsOf(variant(['  security: [tom]', '  security: [tom, tomas]']))).toEqual([
      { path: 'groups.security[1]', message: 'unknown person "tomas" (did you mean "tom"?)' },
    ]);
  });

  it('a person listed twice in a group', () => {
    expect(errorsOf(variant(['  cto: [sam]', '  cto: [sam, sam]']))).toEqual([
      { path: 'groups.cto[1]', message: '"sam" is listed twice' },
    ]);
  });

  it('an unknown channel for a service', () => {
    expect(
      errorsOf(
        variant([
          '    approvers: payments-owners\n    notify: [change-board]',
          '    approvers: payments-owners\n    notify: [change-bord]',
        ]),
      ),
    ).toEqual([
      {
        path: 'services.payments.notify[0]',
        message: 'unknown channel "change-bord" (did you mean "change-board"?)',
      },
    ]);
  });

  it('an unknown approvers group for a service', () => {
    expect(errorsOf(variant(['    approvers: web-owners', '    approvers: web-owner']))).toEqual([
      {
        path: 'services.website.approvers',
        message: 'unknown group "web-owner" (did you mean "web-owners"?)',
      },
    ]);
  });

  it('an unknown change type in a freeze allow list', () => {
    expect(errorsOf(variant(['    allow: [emergency]', '    allow: [emergancy]']))).toEqual([
      {
        path: 'freezes[0].allow[0]',
        message: 'unknown change type "emergancy" (did you mean "emergency"?)',
      },
    ]);
  });

  it('an unknown service in a freeze', () => {
    expect(
      errorsOf(
        variant(['    allow: [emergency]', '    allow: [emergency]\n    services: [payment]']),
      ),
    ).toEqual([
      {
        path: 'freezes[0].services[0]',
        message: 'unknown service "payment" (did you mean "payments"?)',
      },
    ]);
  });

  it('a duration that is not one', () => {
    expect(errorsOf(variant(['remindAfter: 4h ', 'remindAfter: 4 hours ']))).toEqual([
      {
        path: 'changeTypes.normal.remindAfter',
        message: '"4 hours" is not a duration; write it like 30m, 4h, 1d or 1h30m',
      },
    ]);
  });

  it('escalation before (or with) the reminder', () => {
    const expected = [
      {
        path: 'changeTypes.normal.escalateAfter',
        message: 'must be longer than remindAfter (4h): escalation follows the reminder',
      },
    ];
    expect(errorsOf(variant(['escalateAfter: 1d ', 'escalateAfter: 2h ']))).toEqual(expected);
    expect(errorsOf(variant(['escalateAfter: 1d ', 'escalateAfter: 4h ']))).toEqual(expected);
    expect(errorsOf(variant(['escalateAfter: 1d ', 'escalateAfter: 240m ']))).toEqual(expected);
  });

  it('an early start that waits for a group the type does not ask, or for more than it asks', () => {
    const early = 'earlyStart: { from: on-call-leads, count: 1 }';
    expect(errorsOf(variant([early, 'earlyStart: { from: change-managers }']))).toEqual([
      {
        path: 'changeTypes.emergency.earlyStart.from',
        message:
          '"change-managers" is not one of this type\'s approvals ("on-call-leads", "security", "cto"): an early start waits for one of them',
      },
    ]);
    expect(errorsOf(variant([early, 'earlyStart: { from: on-call-leads, count: 2 }']))).toEqual([
      {
        path: 'changeTypes.emergency.earlyStart.count',
        message:
          'waits for 2 approvals from "on-call-leads", but the type asks that group for only 1',
      },
    ]);
    expect(errorsOf(variant([early, 'earlyStart: { from: on-call-leads, count: 0 }']))).toEqual([
      { path: 'changeTypes.emergency.earlyStart.count', message: 'must be at least 1' },
    ]);
    expect(errorsOf(variant([early, 'earlyStart: { group: on-call-leads }']))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: expect.stringMatching(/^changeTypes\.emergency\.earlyStart/),
        }),
      ]),
    );
  });

  it('a review whose due time or questions are wrong', () => {
    expect(errorsOf(variant(['within: 2d', 'within: soon']))).toEqual([
      {
        path: 'changeTypes.emergency.review.within',
        message: '"soon" is not a duration; write it like 30m, 4h, 1d or 1h30m',
      },
    ]);
    expect(
      errorsOf(variant(['        - id: followUps\n', '        - id: whatHappened\n'])),
    ).toEqual([
      {
        path: 'changeTypes.emergency.review.fields[1].id',
        message: 'duplicate field "whatHappened" (first at changeTypes.emergency.review.fields[0])',
      },
    ]);
    expect(
      errorsOf(
        variant([
          '          label: Follow-up actions (links)\n          type: text\n',
          '          label: Follow-up actions (links)\n          type: choice\n',
        ]),
      ),
    ).toEqual([
      {
        path: 'changeTypes.emergency.review.fields[1].options',
        message: 'a choice field needs a list of options',
      },
    ]);
    expect(
      errorsOf(
        variant(['          required: false\n', '          required: { when: { risky: high } }\n']),
      ),
    ).toEqual([
      expect.objectContaining({
        path: 'changeTypes.emergency.review.fields[1].required.when.risky',
      }),
    ]);
    expect(errorsOf(variant(['      within: 2d\n', '']))).toEqual([
      { path: 'changeTypes.emergency.review.within', message: 'is required' },
    ]);
  });

  it('escalation without a target or a delay', () => {
    expect(errorsOf(variant(['    escalateTo: change-managers\n', '']))).toEqual([
      {
        path: 'changeTypes.normal.escalateTo',
        message: 'escalateAfter is set but nobody to escalate to',
      },
    ]);
    expect(
      errorsOf(
        variant(['    escalateAfter: 1d             # then tell the escalation group\n', '']),
      ),
    ).toEqual([
      {
        path: 'changeTypes.normal.escalateAfter',
        message: 'escalateTo is set but not after how long',
      },
    ]);
    expect(
      errorsOf(variant(['    escalateTo: change-managers', '    escalateTo: change-manager'])),
    ).toEqual([
      {
        path: 'changeTypes.normal.escalateTo',
        message: 'unknown group "change-manager" (did you mean "change-managers"?)',
      },
    ]);
  });

  it('an unknown time zone', () => {
    expect(errorsOf(variant(['    timezone: Asia/Seoul', '    timezone: Asia/Seol']))).toEqual([
      {
        path: 'people[5].timezone',
        message: 'unknown time zone "Asia/Seol" (use an IANA name such as Europe/Berlin)',
      },
    ]);
  });

  it('working hours that are not working hours', () => {
    expect(
      errorsOf(
        variant(['    workingHours: "09:30-18:00"', '    workingHours: "half nine to six"']),
      ),
    ).toEqual([
      {
        path: 'people[1].workingHours',
        message: 'must look like "09:00-17:00" or "Mon-Fri 09:00-17:00"',
      },
    ]);
    expect(
      errorsOf(variant(['    workingHours: "09:30-18:00"', '    workingHours: "18:00-09:30"'])),
    ).toEqual([
      {
        path: 'people[1].workingHours',
        message: 'the end (09:30) must be after the start (18:00)',
      },
    ]);
    expect(
      errorsOf(
        variant(['    workingHours: "09:30-18:00"', '    workingHours: "Mon-Fro 09:30-18:00"']),
      ),
    ).toEqual([
      {
        path: 'people[1].workingHours',
        message: '"mon-fro" is not a day or range of days (use Mon, Tue, … Sun)',
      },
    ]);
  });

  it('a freeze that ends before it starts', () => {
    expect(
      errorsOf(variant(['    to: 2027-01-04T00:00:00Z', '    to: 2026-12-01T00:00:00Z'])),
    ).toEqual([{ path: 'freezes[0].to', message: 'must be after from (2026-12-19T00:00:00Z)' }]);
  });

  it('a freeze date that is not a date-time', () => {
    const message =
      'must be a date and time such as 2026-12-19T00:00:00Z, or a local one such as 2026-12-19T00:00 with timezone';
    expect(errorsOf(variant(['    to: 2027-01-04T00:00:00Z', '    to: next year']))).toEqual([
      { path: 'freezes[0].to', message },
    ]);
    expect(
      errorsOf(variant(['    to: 2027-01-04T00:00:00Z', '    to: 2027-02-30T00:00:00Z'])),
    ).toEqual([{ path: 'freezes[0].to', message }]);
  });

  it('a freeze ending on a leap second, which names no instant', () => {
    expect(
      errorsOf(variant(['    to: 2027-01-04T00:00:00Z', '    to: 2026-12-31T23:59:60Z'])),
    ).toEqual([
      { path: 'freezes[0].to', message: 'is not a moment a clock shows (no leap seconds)' },
    ]);
  });

  it('a condition value that can never match', () => {
    expect(
      errorsOf(
        variant([
          '    when: { risk: high, type: normal }',
          '    when: { risk: hgh, type: normal }',
        ]),
      ),
    ).toEqual([
      {
        path: 'meetings[0].when.risk',
        message: '"hgh" can never match: field "risk" must be one of: low, medium, high',
      },
    ]);
    expect(
      errorsOf(
        variant(['required: { when: { tested: true } }', 'required: { when: { tested: "yes" } }']),
      ),
    ).toEqual([
      {
        path: 'fields[1].required.when.tested',
        message: '"yes" can never match: field "tested" must be true or false',
      },
    ]);
  });

  it('a condition on an unknown field', () => {
    expect(
      errorsOf(
        variant([
          '    when: { risk: high, type: normal }',
          '    when: { riks: high, type: normal }',
        ]),
      ),
    ).toEqual([
      {
        path: 'meetings[0].when.riks',
        message: 'unknown field "riks"; conditions name a field id, "type" or "service"',
      },
    ]);
  });

  it('a condition on an unknown change type or service', () => {
    expect(
      errorsOf(
        variant(['    when: { type: emergency }', '    when: { type: [emergency, urgent] }']),
      ),
    ).toEqual([
      {
        path: 'notifications[3].when.type',
        message: 'unknown change type "urgent" (known: standard, normal, emergency)',
      },
    ]);
    expect(
      errorsOf(variant(['    when: { type: emergency }', '    when: { service: webshop }'])),
    ).toEqual([
      {
        path: 'notifications[3].when.service',
        message: 'unknown service "webshop" (known: payments, website, edge)',
      },
    ]);
  });

  it('an empty condition', () => {
    expect(errorsOf(variant(['    when: { risk: high, type: normal }', '    when: {}']))).toEqual([
      {
        path: 'meetings[0].when',
        message: 'an empty condition matches every change; leave it out instead',
      },
    ]);
  });

  it('a field required depending on its own answer', () => {
    expect(
      errorsOf(
        variant([
          'required: { when: { tested: true } }',
          'required: { when: { testResults: "https://ci.example.com" } }',
        ]),
      ),
    ).toEqual([
      {
        path: 'fields[1].required.when.testResults',
        message: 'a field cannot be required depending on its own answer',
      },
    ]);
  });

  it('duplicate person ids', () => {
    expect(errorsOf(variant(['  - id: kim\n', '  - id: tom\n']))).toEqual([
      // kim is gone, so Sam's deputy, the group and the standard change that name kim break too.
      { path: 'people[0].deputy', message: 'unknown person "kim" (did you mean "sam"?)' },
      { path: 'people[5].id', message: 'duplicate person "tom" (first at people[4])' },
      { path: 'groups.change-managers[0]', message: 'unknown person "kim" (did you mean "sam"?)' },
      {
        path: 'standardChanges[0].approvedBy',
        message: 'unknown person "kim" (did you mean "sam"?)',
      },
    ]);
  });

  it('duplicate e-mail addresses and GitHub logins', () => {
    expect(
      errorsOf(
        variant(
          ['    email: kim@example.com', '    email: TOM@example.com'],
          ['    github: kimpark', '    github: TBecker'],
        ),
      ),
    ).toEqual([
      { path: 'people[5].email', message: 'TOM@example.com is already used by people[4]' },
      { path: 'people[5].github', message: 'GitHub login "TBecker" is already used by people[4]' },
    ]);
  });

  it('a repository mapped to two services', () => {
    expect(
      errorsOf(
        variant([
          '    repositories: [example-corp/website]',
          '    repositories: [example-corp/Payments-API]',
        ]),
      ),
    ).toEqual([
      {
        path: 'services.website.repositories[0]',
        message: 'example-corp/Payments-API is already mapped to service "payments"',
      },
    ]);
  });

  it('deployment environments that are empty or repeated', () => {
    const withEnvironments = (list: string) =>
      variant([
        '    repositories: [example-corp/payments-api]',
        `    repositories: [example-corp/payments-api]\n    environments: ${list}`,
      ]);
    const loaded = parsePolicy(withEnvironments('[prod-eu, prod-us]'), ENV);
    expect(loaded.ok && loaded.policy.services.get('payments')!.environments).toEqual([
      'prod-eu',
      'prod-us',
    ]);
    expect(errorsOf(withEnvironments('[prod, ""]')).map((e) => e.path)).toEqual([
      'services.payments.environments[1]',
    ]);
    expect(errorsOf(withEnvironments('[prod, prod]')).map((e) => e.path)).toEqual([
      'services.payments.environments',
    ]);
  });

  it('a count larger than the group', () => {
    expect(
      errorsOf(variant(['      - from: security\n', '      - from: security\n        count: 2\n'])),
    ).toEqual([
      {
        path: 'changeTypes.emergency.approvals[1].count',
        message: 'needs 2 approvals but group "security" has only 1 member(s)',
      },
    ]);
  });

  it('a service-approvers count larger than a service group', () => {
    expect(
      errorsOf(
        variant([
          '      - from: service-approvers\n        count: 1',
          '      - from: service-approvers\n        count: 3',
        ]),
      ),
    ).toEqual([
      {
        path: 'changeTypes.normal.approvals[0].count',
        message:
          'needs 3 approvals but service "payments"\'s group "payments-owners" has only 2 member(s)',
      },
      {
        path: 'changeTypes.normal.approvals[0].count',
        message:
          'needs 3 approvals but service "website"\'s group "web-owners" has only 2 member(s)',
      },
      {
        path: 'changeTypes.normal.approvals[0].count',
        message:
          'needs 3 approvals but service "edge"\'s group "hosting-supplier" has only 1 member(s)',
      },
    ]);
  });

  it('more distinct approvers than people', () => {
    const text = variant([
      '      - from: cto\n',
      '      - from: cto\n      - from: payments-owners\n        count: 2\n      - from: web-owners\n        count: 2\n',
    ]);
    // Seven slots for eight people is fine.
    expect(parsePolicy(text, ENV).ok).toBe(true);
    const tooMany = variant([
      '      - from: cto\n',
      '      - from: cto\n      - from: payments-owners\n        count: 2\n      - from: web-owners\n        count: 2\n      - from: change-managers\n      - from: hosting-supplier\n',
    ]);
    expect(errorsOf(tooMany)).toEqual([
      {
        path: 'changeTypes.emergency.distinctApprovers',
        message: 'needs 9 different approvers but the policy has 8 people',
      },
    ]);
  });

  it('a group called service-approvers, and an empty group', () => {
    expect(
      errorsOf(variant(['  cto: [sam]', '  cto: [sam]\n  service-approvers: [sam]\n  nobody: []'])),
    ).toEqual([
      {
        path: 'groups.service-approvers',
        message: '"service-approvers" is reserved for the approvers of each service',
      },
      { path: 'groups.nobody', message: 'a group needs at least one member' },
    ]);
  });

  it('channels: a secret on a chat channel, a URL that is not one', () => {
    expect(
      errorsOf(
        variant([
          '    url: ${SLACK_WEBHOOK_URL}',
          '    url: ${SLACK_WEBHOOK_URL}\n    secret: abc',
        ]),
      ),
    ).toEqual([
      {
        path: 'channels.releases.secret',
        message: "only webhook channels are signed; a slack channel's secret is part of its URL",
      },
    ]);
    expect(errorsOf(EXAMPLE, { ...ENV, TEAMS_WEBHOOK_URL: 'not-a-url' })).toEqual([
      { path: 'channels.change-board.url', message: 'must be an http(s) URL' },
    ]);
  });

  it('a webhook channel without a secret is only a warning', () => {
    const result = parsePolicy(variant(['    secret: ${AUDIT_WEBHOOK_SECRET}\n', '']), ENV);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: 'channels.audit-sink',
        message:
          'a webhook channel without a secret sends unsigned events that receivers cannot authenticate',
      },
    ]);
  });

  it('fields: a reserved id, a choice without options, options on a non-choice', () => {
    expect(errorsOf(variant(['  - id: rollbackPlan', '  - id: type']))).toEqual([
      {
        path: 'fields[3].id',
        message: '"type" is reserved: conditions use it for the change\'s type',
      },
      // And the standard change that answers rollbackPlan names a field that is gone.
      {
        path: 'standardChanges[0].answers.rollbackPlan',
        message:
          'unknown field "rollbackPlan" (known: tested, testResults, consequenceOfNotReleasing, type, risk)',
      },
    ]);
    expect(errorsOf(variant(['    options: [low, medium, high]\n', '']))).toEqual([
      { path: 'fields[4].options', message: 'a choice field needs a list of options' },
      // And the conditions on risk can no longer match anything, nor the standard change's answer.
      {
        path: 'changeTypes.normal.approvals[1].when.risk',
        message: '"high" can never match: field "risk" must be one of: ',
      },
      {
        path: 'standardChanges[0].answers.risk',
        message: '"low" does not fit field "risk": must be one of: ',
      },
      {
        path: 'meetings[0].when.risk',
        message: '"high" can never match: field "risk" must be one of: ',
      },
    ]);
    expect(
      errorsOf(
        variant([
          '    type: boolean\n    required: true',
          '    type: boolean\n    options: [yes, no]\n    required: true',
        ]),
      ),
    ).toEqual([
      {
        path: 'fields[0].options',
        message: 'only choice fields have options, this one is boolean',
      },
    ]);
  });

  it('notifications: an unknown event, an unknown recipient, e-mail to a channel', () => {
    expect(
      errorsOf(
        variant([
          '  - on: [approved, rejected, approvals-withdrawn]',
          '  - on: [aproved, rejected, approvals-withdrawn]',
        ]),
      ),
    ).toEqual([
      {
        path: 'notifications[2].on[0]',
        message: 'unknown event "aproved" (did you mean "approved"?)',
      },
    ]);
    expect(errorsOf(variant(['    to: [change-board]', '    to: [everyone]']))).toEqual([
      {
        path: 'notifications[3].to[0]',
        message:
          'unknown recipient "everyone": use a channel, group or person id, or one of service-channels, approvers, requester',
      },
    ]);
    expect(errorsOf(variant(['    to: [requester]', '    to: [requester, releases]']))).toEqual([
      {
        path: 'notifications[2].to[1]',
        message:
          '"releases" is a channel; e-mail goes to people (approvers, requester, a group or a person)',
      },
    ]);
  });

  it('the wrong version, a missing section, a value of the wrong type', () => {
    expect(errorsOf(variant(['version: 1', 'version: 2']))).toEqual([
      { path: 'version', message: 'must be 1' },
    ]);
    expect(errorsOf(variant(['organization: Example Corp\n', '']))).toEqual([
      { path: 'organization', message: 'is required' },
    ]);
    expect(
      errorsOf(variant(['    distinctApprovers: true ', '    distinctApprovers: yes '])),
    ).toEqual([
      { path: 'changeTypes.emergency.distinctApprovers', message: 'must be true or false' },
    ]);
    expect(
      errorsOf(variant(['        count: 1\n        when', '        count: 0\n        when'])),
    ).toEqual([{ path: 'changeTypes.normal.approvals[1].count', message: 'must be at least 1' }]);
  });

  it('a file that is not a mapping', () => {
    expect(errorsOf('- just\n- a list\n')).toEqual([
      { path: '', message: 'must be a mapping (key: value)' },
    ]);
  });
});

describe('freezes', () => {
  const FRIDAYS =
    '    schedule: { rrule: "FREQ=WEEKLY;BYDAY=FR", at: "15:00", duration: 9h, timezone: Europe/London }';
  const YEAR_END = '    from: 2026-12-19T00:00:00Z\n    to: 2027-01-04T00:00:00Z\n';

  function warningsOf(text: string): { path: string; message: string }[] {
    const result = parsePolicy(text, ENV);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.warnings.map(({ path, message }) => ({ path, message }));
  }

  it.skipIf(!existsSync(NEXT_EXAMPLE_PATH))(
    'the freezes of the next reference example load as they are',
    () => {
      const policy = loadNextExample();
      const listed = listedIn('freezes');
      expect([...policy.freezes, ...policy.recurringFreezes].map((f) => f.name).sort()).toEqual(
        listed.map((f) => f.name).sort(),
      );
    },
  );

  it('a one-off freeze in local time, placed by its timezone', () => {
    const result = parsePolicy(
      variant([
        YEAR_END,
        '    from: "2026-07-01T18:00"\n    to: "2026-12-01T09:00"\n    timezone: Europe/London\n',
      ]),
      ENV,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.warnings).toEqual([]);
    // 18:00 in summer time is 17:00Z; 09:00 in December is 09:00Z.
    expect(result.policy.freezes[0]).toMatchObject({
      from: new Date('2026-07-01T17:00:00Z'),
      to: new Date('2026-12-01T09:00:00Z'),
    });
    // An offset says the instant itself; one time may be local while the other is not.
    const mixed = parsePolicy(
      variant([
        YEAR_END,
        '    from: 2026-07-01T18:00:00+02:00\n    to: "2026-07-02T09:00"\n    timezone: America/New_York\n',
      ]),
      ENV,
    );
    if (!mixed.ok) throw new Error(JSON.stringify(mixed.problems));
    expect(mixed.policy.freezes[0]).toMatchObject({
      from: new Date('2026-07-01T16:00:00Z'),
      to: new Date('2026-07-02T13:00:00Z'),
    });
  });

  it('a local time without a timezone, or an unknown timezone', () => {
    expect(
      errorsOf(variant([YEAR_END, '    from: "2026-12-19T00:00"\n    to: 2027-01-04T00:00:00Z\n'])),
    ).toEqual([
      {
        path: 'freezes[0].from',
        message:
          '"2026-12-19T00:00" is a local time: give timezone (such as Europe/London) to say where, or end it in Z or an offset (+01:00)',
      },
    ]);
    expect(
      errorsOf(
        variant([
          YEAR_END,
          '    from: "2026-12-19T00:00"\n    to: "2027-01-04T00:00"\n    timezone: Europe/Londn\n',
        ]),
      ),
    ).toEqual([
      {
        path: 'freezes[0].timezone',
        message: 'unknown time zone "Europe/Londn" (use an IANA name such as Europe/Berlin)',
      },
    ]);
  });

  it('a local to before its from', () => {
    expect(
      errorsOf(
        variant([
          YEAR_END,
          '    from: "2027-01-04T00:00"\n    to: "2026-12-19T00:00"\n    timezone: Europe/London\n',
        ]),
      ),
    ).toEqual([{ path: 'freezes[0].to', message: 'must be after from (2027-01-04T00:00)' }]);
  });

  it('a timezone with instants only is a warning: it changes nothing', () => {
    expect(warningsOf(variant([YEAR_END, `${YEAR_END}    timezone: Europe/London\n`]))).toEqual([
      {
        path: 'freezes[0].timezone',
        message:
          'has no effect: from and to name instants (they end in Z or an offset); write them without one, such as 2026-12-19T00:00, to read them in this time zone',
      },
    ]);
  });

  it('a freeze with neither from and to nor a schedule, or with from alone', () => {
    expect(errorsOf(variant([YEAR_END, '']))).toEqual([
      {
        path: 'freezes[0]',
        message: 'needs from and to (a freeze that runs once) or schedule (one that recurs)',
      },
    ]);
    expect(errorsOf(variant(['    to: 2027-01-04T00:00:00Z\n', '']))).toEqual([
      { path: 'freezes[0].to', message: 'is required: a one-off freeze needs both from and to' },
    ]);
  });

  it('a freeze with both from and a schedule', () => {
    const text = variant([FRIDAYS, `${FRIDAYS}\n    from: 2026-11-06T15:00:00Z`]);
    expect(errorsOf(text)).toEqual([
      {
        path: 'freezes[1].schedule',
        message:
          'cannot be given with from: a freeze either recurs on its schedule or runs once, from … to; leave one out',
      },
    ]);
    expect(problemsOf(text)[0]!.line).toBe(lineOf(text, 'BYDAY=FR'));
    expect(
      errorsOf(
        variant([
          FRIDAYS,
          `${FRIDAYS}\n    from: 2026-11-06T15:00:00Z\n    to: 2026-11-07T00:00:00Z`,
        ]),
      ),
    ).toEqual([
      {
        path: 'freezes[1].schedule',
        message:
          'cannot be given with from and to: a freeze either recurs on its schedule or runs once, from … to; leave one out',
      },
    ]);
  });

  it('a recurring freeze with its timezone beside its schedule', () => {
    expect(errorsOf(variant([FRIDAYS, `${FRIDAYS}\n    timezone: Europe/London`]))).toEqual([
      {
        path: 'freezes[1].timezone',
        message: 'a recurring freeze gives its time zone in its schedule (schedule.timezone)',
      },
    ]);
  });

  it.each(['at', 'timezone', 'duration', 'rrule'])('a schedule without %s', (key) => {
    const without = FRIDAYS.replace(new RegExp(`,? ${key}: [^,}]+,?`), (part) =>
      part.startsWith(',') && part.endsWith(',') ? ',' : '',
    );
    expect(without).not.toContain(`${key}:`);
    expect(errorsOf(variant([FRIDAYS, without]))).toEqual([
      { path: `freezes[1].schedule.${key}`, message: 'is required' },
    ]);
  });

  it('a schedule written beside the freeze instead of in it', () => {
    expect(
      errorsOf(
        variant([
          FRIDAYS,
          '    rrule: "FREQ=WEEKLY;BYDAY=FR"\n    at: "15:00"\n    duration: 9h\n    timezone: Europe/London',
        ]),
      ),
    ).toEqual([
      {
        path: 'freezes[1]',
        message: 'needs from and to (a freeze that runs once) or schedule (one that recurs)',
      },
      ...['rrule', 'at', 'duration'].map((key) => ({
        path: `freezes[1].${key}`,
        message:
          "belongs in the freeze's schedule: a recurring freeze is written schedule: { rrule: …, at: …, duration: …, timezone: … }",
      })),
    ]);
  });

  it('a schedule a freeze cannot keep: each key with its own message', () => {
    const text = variant([
      FRIDAYS,
      '    schedule: { rrule: "FREQ=HOURLY", at: "3pm", duration: 400d, timezone: Europe/Londn }',
    ]);
    expect(errorsOf(text)).toEqual([
      {
        path: 'freezes[1].schedule.rrule',
        message:
          'FREQ=HOURLY is more often than a freeze begins: use DAILY, WEEKLY, MONTHLY or YEARLY (the time of day comes from at)',
      },
      {
        path: 'freezes[1].schedule.at',
        message: '"3pm" is not a time of day; write it as HH:MM, from 00:00 to 23:59',
      },
      {
        path: 'freezes[1].schedule.duration',
        message: '"400d" is longer than a year; a freeze lasts at most 366d',
      },
      {
        path: 'freezes[1].schedule.timezone',
        message: 'unknown time zone "Europe/Londn" (use an IANA name such as Europe/Berlin)',
      },
    ]);
  });

  it('a weekly freeze longer than a week would never lift', () => {
    expect(errorsOf(variant([FRIDAYS, FRIDAYS.replace('duration: 9h', 'duration: 8d')]))).toEqual([
      {
        path: 'freezes[1].schedule.duration',
        message:
          '"8d" is longer than the time from one occurrence to the next (1w at the least): each would begin before the last ends',
      },
    ]);
    // For the weekend: from Friday 15:00 until Monday 09:00.
    expect(
      parsePolicy(variant([FRIDAYS, FRIDAYS.replace('duration: 9h', 'duration: 66h')]), ENV).ok,
    ).toBe(true);
  });

  it('a recurring freeze that never begins again is a warning', () => {
    expect(
      warningsOf(variant([FRIDAYS, FRIDAYS.replace('BYDAY=FR"', 'BYDAY=FR;UNTIL=20250103"')])),
    ).toEqual([
      {
        path: 'freezes[1].schedule.rrule',
        message:
          'never begins again: its last occurrence was Fri 3 Jan 2025 15:00 (Europe/London), so it stops no change',
      },
    ]);
  });

  it('names freezes once, whether they recur or not', () => {
    expect(errorsOf(variant(['  - name: Friday afternoons', '  - name: Year-end freeze']))).toEqual(
      [{ path: 'freezes[1].name', message: 'another freeze is already called "Year-end freeze"' }],
    );
  });
});

describe('meetings', () => {
  const CAB =
    '    schedule: { rrule: "FREQ=WEEKLY;BYDAY=TH", at: "14:00", duration: 1h, timezone: Europe/London }';

  /** The `meetings:` section of a policy file, to its end or the next top-level key. */
  function meetingsSection(text: string): string {
    const match = /^meetings:\n(?:(?:[ #].*)?\n)*/m.exec(text);
    expect(match, 'the file should have a meetings section').not.toBeNull();
    return match![0];
  }

  it.skipIf(!existsSync(NEXT_EXAMPLE_PATH))(
    'the meetings of the next reference example load as they are',
    () => {
      const policy = loadNextExample();
      expect(policy.meetings.map((m) => m.name)).toEqual(listedIn('meetings').map((m) => m.name));
    },
  );

  it('a meeting without a schedule is ad hoc, attended by nobody in particular, and holds nothing', () => {
    const text = EXAMPLE.replace(
      meetingsSection(EXAMPLE),
      'meetings:\n  - name: Architecture forum\n    when: { risk: high }\n',
    );
    const result = parsePolicy(text, ENV);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.policy.meetings).toEqual([
      {
        id: 'architecture-forum',
        name: 'Architecture forum',
        when: { risk: 'high' },
        attendees: [],
        agendaLeadTimeMs: DEFAULT_AGENDA_LEAD_TIME_MS,
        hold: false,
      },
    ]);
  });

  it('a schedule that cannot be kept: each key with its own message', () => {
    const text = variant([
      CAB,
      '    schedule: { rrule: "FREQ=WEEKLY;BYDAY=TH;BYHOUR=14", at: "2pm", duration: 2d, timezone: Europe/Londn }',
    ]);
    expect(errorsOf(text)).toEqual([
      {
        path: 'meetings[1].schedule.rrule',
        message: 'BYHOUR does not belong in the rule: the time of day comes from at',
      },
      {
        path: 'meetings[1].schedule.at',
        message: '"2pm" is not a time of day; write it as HH:MM, from 00:00 to 23:59',
      },
      {
        path: 'meetings[1].schedule.duration',
        message: '"2d" is longer than a day; a sitting lasts at most 1d',
      },
      {
        path: 'meetings[1].schedule.timezone',
        message: 'unknown time zone "Europe/Londn" (use an IANA name such as Europe/Berlin)',
      },
    ]);
    const problems = problemsOf(text);
    expect(problems[0]!.line).toBe(lineOf(text, 'BYHOUR=14'));
  });

  it.each([
    ['RRULE:FREQ=WEEKLY;BYDAY=TH', undefined],
    [
      'FREQ=HOURLY',
      'FREQ=HOURLY is more often than a meeting sits: use DAILY, WEEKLY, MONTHLY or YEARLY (the time of day comes from at)',
    ],
    [
      'DTSTART:20261203T140000Z',
      'DTSTART does not belong in the rule: the first day comes from starts and the time of day from at',
    ],
    [
      'FREQ=WEEKLY;BYDAY=TH;TZID=Europe/London',
      'TZID does not belong in the rule: the time zone comes from timezone',
    ],
    [
      'FREQ=WEEKLY;BYDAY=TH;BYMINUTE=0',
      'BYMINUTE does not belong in the rule: the time of day comes from at',
    ],
    [
      'FREQ=WEEKLY;BYDAY=THU',
      '"THU" in BYDAY is not a day; use MO, TU, WE, TH, FR, SA or SU (a monthly or yearly rule may number them: 1MO, -1FR)',
    ],
    [
      'WEEKLY',
      '"WEEKLY" is not a rule part; write NAME=VALUE parts joined by ";", such as FREQ=WEEKLY;BYDAY=TU',
    ],
  ])('the rule %j', (rrule, message) => {
    const text = variant([CAB, CAB.replace('FREQ=WEEKLY;BYDAY=TH', rrule)]);
    expect(parsePolicy(text, ENV).ok ? [] : errorsOf(text)).toEqual(
      message ? [{ path: 'meetings[1].schedule.rrule', message }] : [],
    );
  });

  it('a start that is not a date, a schedule key that does not exist', () => {
    expect(
      errorsOf(variant([CAB, CAB.replace(' }', ', starts: 2026-13-01, every: week }')])),
    ).toEqual([
      { path: 'meetings[1].schedule.starts', message: 'must be a date such as 2026-12-01' },
      { path: 'meetings[1].schedule.every', message: 'is not a known setting here' },
    ]);
  });

  it('a schedule with no sitting to come, or an INTERVAL counting from the default start, is a warning', () => {
    const result = parsePolicy(
      variant(
        [CAB, CAB.replace('FREQ=WEEKLY;BYDAY=TH', 'FREQ=WEEKLY;BYDAY=TH;UNTIL=20250102')],
        ['rrule: "FREQ=WEEKLY;BYDAY=TU"', 'rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"'],
      ),
      ENV,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(
      result.warnings.map(({ path, message, severity }) => ({ path, message, severity })),
    ).toEqual([
      {
        path: 'meetings[0].schedule.rrule',
        message:
          'INTERVAL=2 counts from 2001-01-01 when starts is not given; give starts (the date of one sitting) to say which weeks it sits',
        severity: 'warning',
      },
      {
        path: 'meetings[1].schedule.rrule',
        message:
          'never sits again: its last sitting was Thu 2 Jan 2025 14:00 (Europe/London), so no agenda is sent',
        severity: 'warning',
      },
    ]);
  });

  it('attendees that are neither a group nor a person, or listed twice', () => {
    expect(
      errorsOf(
        variant([
          '    attendees: [hosting-supplier, change-managers]',
          '    attendees: [hosting-suplier, change-managers, olu, olu, Acme]',
        ]),
      ),
    ).toEqual([
      {
        path: 'meetings[1].attendees[0]',
        message: 'unknown group or person "hosting-suplier" (did you mean "hosting-supplier"?)',
      },
      { path: 'meetings[1].attendees[3]', message: '"olu" is listed twice' },
      {
        path: 'meetings[1].attendees[4]',
        message:
          'unknown group or person "Acme" (known: payments-owners, web-owners, security, change-managers, on-call-leads, cto, hosting-supplier, sam, priya, lee, ana, tom, kim, dev, olu)',
      },
    ]);
  });

  it('an agenda lead time that is not a duration', () => {
    expect(
      errorsOf(variant(['    agendaLeadTime: 1d', '    agendaLeadTime: the day before'])),
    ).toEqual([
      {
        path: 'meetings[1].agendaLeadTime',
        message: '"the day before" is not a duration; write it like 30m, 4h, 1d or 1h30m',
      },
    ]);
  });

  it('a held meeting with no schedule or no attendees', () => {
    expect(
      errorsOf(
        variant([`${CAB}\n`, ''], ['    attendees: [hosting-supplier, change-managers]\n', '']),
      ),
    ).toEqual([
      {
        path: 'meetings[1].hold',
        message: 'a held meeting needs a schedule: the changes it holds wait for it to sit',
      },
      {
        path: 'meetings[1].hold',
        message:
          'a held meeting needs attendees: only they can record the outcome that releases a change',
      },
    ]);
    expect(
      problemsOf(variant([`${CAB}\n`, '']))
        .filter((p) => p.severity === 'warning')
        .map(({ path, message }) => ({ path, message })),
    ).toContainEqual({
      path: 'meetings[1].agendaLeadTime',
      message: 'has no effect: a meeting without a schedule never sits, so no agenda is sent',
    });
  });

  it('two meetings that read the same in URLs', () => {
    expect(
      errorsOf(variant(['  - name: Weekly risk review', '  - name: "Acme hosting: CAB"'])),
    ).toEqual([
      {
        path: 'meetings[1].name',
        message:
          'reads as "acme-hosting-cab" in URLs, like "Acme hosting: CAB" (meetings[0]); rename one of them',
      },
    ]);
  });
});

describe('keepApprovalsOnPush', () => {
  it('is off unless a change type turns it on', () => {
    const result = parsePolicy(
      variant([
        '    escalateTo: change-managers\n',
        '    escalateTo: change-managers\n    keepApprovalsOnPush: true\n',
      ]),
      ENV,
    );
    if (!result.ok) throw new Error('the variant should load');
    expect(result.warnings).toEqual([]);
    expect(result.policy.changeTypes.get('normal')!.keepApprovalsOnPush).toBe(true);
    expect(result.policy.changeTypes.get('emergency')!.keepApprovalsOnPush).toBe(false);
  });

  it('must be true or false', () => {
    expect(
      errorsOf(
        variant([
          '    escalateTo: change-managers\n',
          '    escalateTo: change-managers\n    keepApprovalsOnPush: sometimes\n',
        ]),
      ),
    ).toEqual([
      { path: 'changeTypes.normal.keepApprovalsOnPush', message: 'must be true or false' },
    ]);
  });

  it('warns that it means nothing on a type that needs no approval', () => {
    const text = variant([
      '    approvals: []                 # approved as soon as it is submitted\n',
      '    approvals: []\n    keepApprovalsOnPush: true\n',
    ]);
    const result = parsePolicy(text, ENV);
    if (!result.ok) throw new Error('a warning must not stop the policy from loading');
    expect(result.warnings).toEqual([
      expect.objectContaining({
        path: 'changeTypes.standard.keepApprovalsOnPush',
        severity: 'warning',
        line: lineOf(text, 'keepApprovalsOnPush'),
        message:
          'has no effect: a type that needs no approval is approved again as soon as new commits are pushed',
      }),
    ]);
  });
});

describe('reserved person ids', () => {
  it('refuses a person called "github": the GitHub integration acts under that name', () => {
    expect(
      errorsOf(
        variant(['  - id: tom\n', '  - id: github\n'], ['security: [tom]', 'security: [github]']),
      ),
    ).toEqual([
      {
        path: 'people[4].id',
        message: '"github" is reserved: the timeline shows it for what the github integration did',
      },
    ]);
  });
});

describe('invalid YAML', () => {
  it('reports the line of a tab used as indentation', () => {
    const text = variant([
      '  hosting-supplier: [olu]\n',
      '  hosting-supplier: [olu]\n\tboard: [kim]\n',
    ]);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: '',
      severity: 'error',
      line: lineOf(text, '\tboard'),
      column: 1,
    });
    expect(problems[0]!.message).toBe('not valid YAML: Tabs are not allowed as indentation');
  });

  it('reports the line of a duplicate key', () => {
    const text = variant([
      'organization: Example Corp\n',
      'organization: Example Corp\norganization: Other Corp\n',
    ]);
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.message, p.line])).toEqual([
      ['not valid YAML: Map keys must be unique', lineOf(text, 'Other Corp')],
    ]);
  });

  it('reports a bad indent once, not the errors that follow from it', () => {
    const text = variant([
      '  - id: lee\n    name: Lee Wong\n',
      '  - id: lee\n      name: Lee Wong\n',
    ]);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^not valid YAML: Nested mappings are not allowed/);
    expect(problems[0]!.line).toBe(lineOf(text, '- id: lee'));
  });

  it('reports an unclosed list near where it starts', () => {
    const text = variant(['  security: [tom]', '  security: [tom']);
    const problems = problemsOf(text);
    expect(problems[0]!.message).toMatch(/^not valid YAML: .*\]/);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(lineOf(text, 'security: [tom'));
    expect(problems[0]!.line).toBeLessThanOrEqual(lineOf(text, 'security: [tom') + 1);
  });
});

describe('every problem at once', () => {
  it('reports shape, reference and value problems together, in file order', () => {
    const text = variant(
      ['    admin: true\n', '    admin: true\n    colour: blue\n'],
      ['  security: [tom]', '  security: [tomm]'],
      ['      - from: change-managers\n', '      - from: change-managerz\n'],
      ['remindAfter: 4h ', 'remindAfter: 4 hours '],
      ['    to: 2027-01-04T00:00:00Z', '    to: 2026-12-01T00:00:00Z'],
      ['    when: { risk: high, type: normal }', '    when: { risk: hgh, type: normal }'],
    );
    const problems = problemsOf(text).filter((p) => p.severity === 'error');
    expect(problems.map((p) => p.path)).toEqual([
      'people[6].colour',
      'groups.security[0]',
      'changeTypes.normal.approvals[1].from',
      'changeTypes.normal.remindAfter',
      'freezes[0].to',
      'meetings[0].when.risk',
    ]);
    const lines = problems.map((p) => p.line!);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines[0]).toBe(lineOf(text, 'colour: blue'));
    expect(lines[5]).toBe(lineOf(text, 'risk: hgh'));
  });

  it('keeps warnings next to errors', () => {
    const problems = problemsOf(variant(['  cto: [sam]', '  cto: [sammy]']), {});
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.path)).toEqual([
      'groups.cto[0]',
    ]);
    expect(problems.filter((p) => p.severity === 'warning').map((p) => p.path)).toEqual([
      'channels.change-board',
      'channels.releases',
      'channels.audit-sink',
    ]);
  });

  it('lists every shape problem together', () => {
    const text = variant(
      ['version: 1', 'version: 2'],
      ['        count: 1\n        when', '        count: 0\n        when'],
      ['    distinctApprovers: true ', '    distinctApprovers: yes '],
    );
    expect(errorsOf(text)).toEqual([
      { path: 'version', message: 'must be 1' },
      { path: 'changeTypes.normal.approvals[1].count', message: 'must be at least 1' },
      { path: 'changeTypes.emergency.distinctApprovers', message: 'must be true or false' },
    ]);
  });
});

describe('loadPolicyFile and formatProblem', () => {
  it('reports a missing file as a problem', async () => {
    const result = await loadPolicyFile('/nonexistent/changeboard.yaml');
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          path: '',
          message: 'cannot read /nonexistent/changeboard.yaml: file not found',
          severity: 'error',
        },
      ],
    });
  });

  it('formats a problem without a position or path', () => {
    expect(
      formatProblem({ path: '', message: 'cannot read x', severity: 'error' }, 'changeboard.yaml'),
    ).toBe('changeboard.yaml error cannot read x');
    expect(
      formatProblem(
        { path: 'channels.x', message: 'is odd', severity: 'warning', line: 3 },
        'p.yaml',
      ),
    ).toBe('p.yaml:3:1 warning channels.x: is odd');
  });
});

describe('text in the policy', () => {
  it('obeys the one rule for text: no lone surrogates, control characters or bidi overrides', () => {
    expect(
      errorsOf(
        variant(
          ['name: Priya Shah', 'name: "Priya \\ud800 Shah"'],
          ['organization: Example Corp', 'organization: "Example \\u202e Corp"'],
        ),
      ),
    ).toEqual([
      { path: 'organization', message: expect.stringContaining('bidirectional control U+202E') },
      { path: 'people[1].name', message: expect.stringContaining('lone surrogate U+D800') },
    ]);
  });
});

describe('the standard change catalog', () => {
  /** The `standardChanges:` section of a policy file: the key and its indented lines. */
  function catalogSection(text: string): string {
    const match = /^standardChanges:\n(?: .*\n)*/m.exec(text);
    expect(match, 'the file should have a standardChanges section').not.toBeNull();
    return match![0];
  }

  function warningsOf(text: string): { path: string; message: string }[] {
    const result = parsePolicy(text, ENV);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.warnings.map(({ path, message }) => ({ path, message }));
  }

  it.skipIf(!existsSync(NEXT_EXAMPLE_PATH))(
    'the catalog of the next reference example loads as it is',
    () => {
      const policy = loadNextExample();
      expect((policy.standardChanges ?? []).map((t) => t.id)).toEqual(
        listedIn('standardChanges').map((t) => t.id),
      );
    },
  );

  it('gives each template its answers, what it locks, and a version', () => {
    const result = parsePolicy(EXAMPLE, ENV);
    if (!result.ok) throw new Error('the example should load');
    expect(result.policy.standardChanges).toEqual([
      {
        id: 'rotate-tls-cert',
        title: 'Rotate a TLS certificate before it expires',
        services: ['website', 'payments'],
        answers: {
          tested: true,
          consequenceOfNotReleasing: 'The certificate expires and the site goes down',
          rollbackPlan: 'Re-deploy the previous certificate',
          risk: 'low',
        },
        locked: ['risk'],
        requesters: ['web-owners', 'payments-owners', 'on-call-leads'],
        approvedBy: 'kim',
        approvedOn: '2026-10-02',
        version: expect.stringMatching(/^[0-9a-f]{12}$/),
      },
    ]);
  });

  it('a new version when the template changes, the same when only the file around it does', () => {
    const versionOf = (text: string) => {
      const result = parsePolicy(text, ENV);
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return result.policy.standardChanges![0]!.version;
    };
    const version = versionOf(EXAMPLE);
    expect(versionOf(variant(['    locked: [risk]', '    locked: [risk, tested]']))).not.toBe(
      version,
    );
    expect(
      versionOf(variant(['    services: [website, payments]', '    services: [website]'])),
    ).not.toBe(version);
    expect(
      versionOf(
        variant(
          ['organization: Example Corp', 'organization: Example Inc'],
          ['    services: [website, payments]', '    services:\n      - website\n      - payments'],
        ),
      ),
    ).toBe(version);
  });

  it('explains every mistake in a template, with its path', () => {
    expect(
      errorsOf(
        variant(
          ['    services: [website, payments]', '    services: [website, paymnts, website]'],
          ['      tested: true\n', '      tested: yes please\n      colour: blue\n'],
          ['      risk: low', '      risk: tiny'],
          ['    locked: [risk]', '    locked: [risk, testResults, mood, risk]'],
          [
            '    requesters: [web-owners, payments-owners, on-call-leads]',
            '    requesters: [web-owners, payment-owners]',
          ],
          ['    approvedBy: kim', '    approvedBy: kimm'],
          ['    approvedOn: 2026-10-02', '    approvedOn: 2026-02-30'],
        ),
      ),
    ).toEqual([
      {
        path: 'standardChanges[0].services[1]',
        message: 'unknown service "paymnts" (did you mean "payments"?)',
      },
      { path: 'standardChanges[0].services[2]', message: '"website" is listed twice' },
      {
        path: 'standardChanges[0].answers.tested',
        message: '"yes please" does not fit field "tested": must be true or false',
      },
      {
        path: 'standardChanges[0].answers.colour',
        message:
          'unknown field "colour" (known: tested, testResults, consequenceOfNotReleasing, rollbackPlan, risk)',
      },
      {
        path: 'standardChanges[0].answers.risk',
        message: '"tiny" does not fit field "risk": must be one of: low, medium, high',
      },
      {
        path: 'standardChanges[0].locked[1]',
        message:
          'locks "testResults", but the template gives no answer to it: add it under answers, or leave it out of locked',
      },
      {
        path: 'standardChanges[0].locked[2]',
        message: expect.stringMatching(
          /^unknown field "mood" .*; locked names answers the template gives$/,
        ),
      },
      { path: 'standardChanges[0].locked[3]', message: '"risk" is listed twice' },
      {
        path: 'standardChanges[0].requesters[1]',
        message:
          'unknown group "payment-owners" (did you mean "payments-owners"?); requesters are groups whose members may raise this change',
      },
      {
        path: 'standardChanges[0].approvedBy',
        message: 'unknown person "kimm" (did you mean "kim"?)',
      },
      {
        path: 'standardChanges[0].approvedOn',
        message: 'must be a date written YYYY-MM-DD',
      },
    ]);
  });

  it('each template once; the keys a template has, and no others', () => {
    const twice = catalogSection(EXAMPLE).replace('standardChanges:\n', '');
    expect(errorsOf(variant([catalogSection(EXAMPLE), catalogSection(EXAMPLE) + twice]))).toEqual([
      {
        path: 'standardChanges[1].id',
        message: 'duplicate standard change "rotate-tls-cert" (first at standardChanges[0])',
      },
    ]);
    expect(
      errorsOf(
        variant(['    approvedOn: 2026-10-02', '    approvedOn: 2026-10-02\n    lock: [x]']),
      ),
    ).toEqual([
      {
        path: 'standardChanges[0].lock',
        message: 'is not a known setting here (did you mean "locked"?)',
      },
    ]);
    expect(errorsOf(variant(['    approvedBy: kim\n', '']))).toEqual([
      { path: 'standardChanges[0].approvedBy', message: 'is required' },
    ]);
  });

  it('without a catalog, warns that a pre-approved type takes any change', () => {
    expect(warningsOf(variant([catalogSection(EXAMPLE), '']))).toEqual([
      {
        path: 'changeTypes.standard',
        message:
          'needs no approval, and the policy has no standardChanges: anyone can file any change as "standard" and have it approved on submit. Add a standardChanges catalog so that only the changes it lists are pre-approved',
      },
    ]);
  });

  it('warns about a catalog no change can use, and an empty one that blocks its types', () => {
    expect(
      warningsOf(
        variant([
          '    label: Standard (pre-approved)\n    approvals: []',
          '    label: Standard (pre-approved)\n    approvals: [{ from: web-owners }]',
        ]),
      ),
    ).toEqual([
      {
        path: 'standardChanges',
        message:
          'no change type is pre-approved (approvals: []), so no change can be filed from these templates; give a type approvals: [] or leave standardChanges out',
      },
    ]);
    expect(warningsOf(variant([catalogSection(EXAMPLE), 'standardChanges: []\n']))).toEqual([
      {
        path: 'standardChanges',
        message:
          'is empty: no standard change can be filed until a template is added (with standardChanges, a pre-approved change must name its template)',
      },
    ]);
  });
});
