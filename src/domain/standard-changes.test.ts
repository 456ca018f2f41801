import { describe, expect, it } from 'vitest';
import { requirementsForApproval, submitForApproval } from './approval.js';
import type { Change } from './change.js';
import { aChange } from './change.fixture.js';
import { AppError, type ErrorCode } from './errors.js';
import type { ChangeType, Person, Policy, StandardChange } from './policy.js';
import {
  checkStandardChange,
  getTemplate,
  isPreApproved,
  lockedAnswerIssues,
  mayUseTemplate,
  needsTemplate,
  pinTemplate,
  prefillFromTemplate,
  templatesFor,
} from './standard-changes.js';
import { templateVersion } from '../policy/template-version.js';

const WRITTEN = {
  id: 'rotate-tls-cert',
  title: 'Rotate a TLS certificate before it expires',
  services: ['website', 'payments'],
  answers: { tested: true, rollbackPlan: 'Re-deploy the previous certificate', risk: 'low' },
  locked: ['risk'],
  requesters: ['web-owners', 'payments-owners'],
  approvedBy: 'kim',
  approvedOn: '2026-10-02',
};

const TLS: StandardChange = { ...WRITTEN, version: templateVersion(WRITTEN) };

const types: [string, Pick<ChangeType, 'id' | 'label' | 'approvals'>][] = [
  ['standard', { id: 'standard', label: 'Standard', approvals: [] }],
  ['normal', { id: 'normal', label: 'Normal', approvals: [{ from: 'web-owners', count: 1 }] }],
];

function policyWith(standardChanges: readonly StandardChange[] | undefined): Policy {
  return {
    fields: [],
    services: new Map(),
    meetings: [],
    people: new Map([
      ['priya', { id: 'priya', name: 'Priya Shah' } as Person],
      ['tom', { id: 'tom', name: 'Tom Becker' } as Person],
    ]),
    groups: new Map([
      ['web-owners', ['ana', 'dev']],
      ['payments-owners', ['priya', 'lee']],
      ['security', ['tom']],
    ]),
    changeTypes: new Map(types),
    ...(standardChanges && { standardChanges }),
  } as unknown as Policy;
}

const CATALOG = policyWith([TLS]);
const NO_CATALOG = policyWith(undefined);

const standard = (overrides: Partial<Change> = {}): Change =>
  aChange({
    type: 'standard',
    services: ['payments'],
    answers: { ...TLS.answers },
    template: { id: TLS.id, version: TLS.version },
    ...overrides,
  });

/** The code and details of what `work` throws. */
function refusal(work: () => unknown): { code: ErrorCode; details: readonly unknown[] } {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('a template’s version', () => {
  it('is 12 hex digits that do not depend on the order keys are written in', () => {
    const reordered = Object.fromEntries(Object.entries(WRITTEN).reverse());
    expect(templateVersion(WRITTEN)).toMatch(/^[0-9a-f]{12}$/);
    expect(templateVersion(reordered)).toBe(templateVersion(WRITTEN));
  });

  it('changes whenever what the template says changes', () => {
    const versions = new Set([
      templateVersion(WRITTEN),
      templateVersion({ ...WRITTEN, services: ['website'] }),
      templateVersion({ ...WRITTEN, answers: { ...WRITTEN.answers, risk: 'medium' } }),
      templateVersion({ ...WRITTEN, requesters: ['web-owners'] }),
      templateVersion({ ...WRITTEN, approvedOn: '2026-10-03' }),
      templateVersion({ ...WRITTEN, locked: [] }),
    ]);
    expect(versions.size).toBe(6);
  });
});

describe('which types need a template', () => {
  it('a pre-approved type, once the policy has a catalog (even an empty one)', () => {
    expect(isPreApproved(CATALOG.changeTypes.get('standard'))).toBe(true);
    expect(isPreApproved(CATALOG.changeTypes.get('normal'))).toBe(false);
    expect(isPreApproved(undefined)).toBe(false);
    expect(needsTemplate(CATALOG, 'standard')).toBe(true);
    expect(needsTemplate(policyWith([]), 'standard')).toBe(true);
    expect(needsTemplate(CATALOG, 'normal')).toBe(false);
  });

  it('none without a catalog: a pre-approved type then takes any change, as before', () => {
    expect(needsTemplate(NO_CATALOG, 'standard')).toBe(false);
    expect(checkStandardChange(NO_CATALOG, standard(), undefined)).toBeUndefined();
  });
});

describe('prefilling a change from its template', () => {
  it('takes its services when none are given, and its answers wherever none is given', () => {
    expect(prefillFromTemplate(TLS, {})).toEqual({
      services: ['website', 'payments'],
      answers: TLS.answers,
    });
    expect(
      prefillFromTemplate(TLS, {
        services: ['payments'],
        answers: { rollbackPlan: 'Restore from the vault', testResults: 'https://ci/1' },
      }),
    ).toEqual({
      services: ['payments'],
      answers: {
        tested: true,
        rollbackPlan: 'Restore from the vault',
        risk: 'low',
        testResults: 'https://ci/1',
      },
    });
  });
});

describe('checking a standard change', () => {
  it('passes a change within its template, and returns the template', () => {
    expect(checkStandardChange(CATALOG, standard(), 'rotate-tls-cert')).toBe(TLS);
    expect(
      checkStandardChange(CATALOG, standard(), 'rotate-tls-cert', {
        requester: { id: 'priya' },
      }),
    ).toBe(TLS);
  });

  it('a change of another type names no template and needs none', () => {
    expect(checkStandardChange(CATALOG, standard({ type: 'normal' }), undefined)).toBeUndefined();
    expect(checkStandardChange(CATALOG, standard({ type: 'normal' }), null)).toBeUndefined();
  });

  it('standard_template_required: a pre-approved type without a template', () => {
    expect(refusal(() => checkStandardChange(CATALOG, standard(), undefined))).toEqual({
      code: 'standard_template_required',
      details: [
        {
          path: 'template',
          message:
            'a Standard change is pre-approved only as a standard change: name its template (one of rotate-tls-cert)',
        },
      ],
    });
    expect(refusal(() => checkStandardChange(policyWith([]), standard(), null)).code).toBe(
      'standard_template_required',
    );
  });

  it('unknown_template: a template the catalog does not have, or no catalog at all', () => {
    expect(refusal(() => checkStandardChange(CATALOG, standard(), 'rotate-tls'))).toEqual({
      code: 'unknown_template',
      details: [
        {
          path: 'template',
          message: 'unknown standard change "rotate-tls"; the catalog has: rotate-tls-cert',
        },
      ],
    });
    expect(refusal(() => getTemplate(NO_CATALOG, 'rotate-tls-cert'))).toMatchObject({
      code: 'unknown_template',
      details: [
        { path: 'template', message: expect.stringContaining('no standard change catalog') },
      ],
    });
  });

  it('template_not_standard: a template on a type that needs approvals', () => {
    expect(
      refusal(() => checkStandardChange(CATALOG, standard({ type: 'normal' }), 'rotate-tls-cert')),
    ).toEqual({
      code: 'template_not_standard',
      details: [
        {
          path: 'template',
          message:
            '"rotate-tls-cert" is a standard change, but a Normal change needs approvals: file it as standard, or leave template out',
        },
      ],
    });
  });

  it('template_service_not_covered: each service outside the template, at its index', () => {
    expect(
      refusal(() =>
        checkStandardChange(
          CATALOG,
          standard({ services: ['payments', 'edge', 'website', 'billing'] }),
          'rotate-tls-cert',
        ),
      ),
    ).toEqual({
      code: 'template_service_not_covered',
      details: [
        {
          path: 'services[1]',
          message:
            '"edge" is not covered by the template "Rotate a TLS certificate before it expires", which covers: website, payments',
        },
        { path: 'services[3]', message: expect.stringContaining('"billing" is not covered') },
      ],
    });
  });

  it('template_answer_locked: a locked answer changed, or left out', () => {
    const changed = standard({ answers: { ...TLS.answers, risk: 'high', rollbackPlan: 'Other' } });
    expect(refusal(() => checkStandardChange(CATALOG, changed, 'rotate-tls-cert'))).toEqual({
      code: 'template_answer_locked',
      details: [
        {
          path: 'answers.risk',
          message:
            'is set by the template "Rotate a TLS certificate before it expires" to "low", not "high"',
        },
      ],
    });
    expect(lockedAnswerIssues(TLS, { tested: true })).toEqual([
      {
        path: 'answers.risk',
        message: 'is set by the template "Rotate a TLS certificate before it expires" to "low"',
      },
    ]);
  });

  it('template_requester_not_allowed: only when asked to check who raises it', () => {
    const tomsChange = standard({ requester: 'tom' });
    expect(checkStandardChange(CATALOG, tomsChange, 'rotate-tls-cert')).toBe(TLS);
    expect(
      refusal(() =>
        checkStandardChange(CATALOG, tomsChange, 'rotate-tls-cert', { requester: { id: 'tom' } }),
      ),
    ).toEqual({
      code: 'template_requester_not_allowed',
      details: [
        {
          path: 'template',
          message:
            'only members of web-owners, payments-owners may raise the standard change "Rotate a TLS certificate before it expires", and Tom Becker is in none of them',
        },
      ],
    });
  });

  it('says the first kind of problem, in the order a requester would fix them', () => {
    // Wrong services and a changed locked answer, by someone not allowed: the services first.
    const everything = standard({ services: ['edge'], answers: { risk: 'high' } });
    expect(
      refusal(() =>
        checkStandardChange(CATALOG, everything, 'rotate-tls-cert', { requester: { id: 'tom' } }),
      ).code,
    ).toBe('template_service_not_covered');
  });
});

describe('who may use a template', () => {
  it('members of any of its requester groups', () => {
    expect(mayUseTemplate(CATALOG, TLS, 'priya')).toBe(true);
    expect(mayUseTemplate(CATALOG, TLS, 'dev')).toBe(true);
    expect(mayUseTemplate(CATALOG, TLS, 'tom')).toBe(false);
    expect(mayUseTemplate(CATALOG, TLS, null)).toBe(false);
    expect(templatesFor(CATALOG, 'priya')).toEqual([TLS]);
    expect(templatesFor(CATALOG, 'tom')).toEqual([]);
    expect(templatesFor(NO_CATALOG, 'priya')).toEqual([]);
  });
});

describe('submitting a standard change', () => {
  const submit = (policy: Policy, change: Change) => {
    const pinned = pinTemplate(policy, change);
    return submitForApproval(policy, pinned, requirementsForApproval(policy, pinned), {
      actor: 'priya',
      now: '2026-11-02T10:00:00.000Z',
    });
  };

  it('is approved at once, recording the template, its version and who accepted it', () => {
    const { change, events } = submit(
      CATALOG,
      standard({ template: { id: TLS.id, version: 'old' } }),
    );
    expect(change.state).toBe('approved');
    // The version it was sent under is the catalog's now, not the one the draft was saved with.
    expect(change.template).toEqual({ id: 'rotate-tls-cert', version: TLS.version });
    expect(events.map((e) => e.type)).toEqual(['submitted', 'approved']);
    expect(events[0]!.data.template).toEqual({
      id: 'rotate-tls-cert',
      version: TLS.version,
      title: 'Rotate a TLS certificate before it expires',
      approvedBy: 'kim',
      approvedOn: '2026-10-02',
    });
    expect(events[1]!.data.reason).toBe(
      `pre-approved as the standard change "Rotate a TLS certificate before it expires" (rotate-tls-cert, version ${TLS.version}), accepted by kim on 2026-10-02`,
    );
  });

  it('checks every rule again, the requester too', () => {
    expect(refusal(() => submit(CATALOG, standard({ requester: 'tom' }))).code).toBe(
      'template_requester_not_allowed',
    );
    expect(refusal(() => submit(CATALOG, standard({ template: undefined }))).code).toBe(
      'standard_template_required',
    );
    // The template was taken out of the catalog after the draft was saved.
    expect(refusal(() => submit(policyWith([]), standard())).code).toBe('unknown_template');
  });

  it('without a catalog, a pre-approved change needs no template, as before', () => {
    const { change, events } = submit(NO_CATALOG, standard({ template: undefined }));
    expect(change.state).toBe('approved');
    expect(change.template).toBeUndefined();
    expect(events[0]!.data).not.toHaveProperty('template');
  });
});
