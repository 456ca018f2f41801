import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChange, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

// Tuesday 17 November 2026, clear of the example's freezes.
const at = (time: string) => `2026-11-17T${time}:00.000Z`;

describe.each(databaseKinds)('conflicts on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const conflictsOf = async (id: string) => {
    const res = await t.call('tom', 'GET', `/changes/${id}`);
    expect(res.status).toBe(200);
    return res.body.conflicts as { kind: string; id?: string; name?: string }[];
  };
  const ids = (conflicts: { kind: string; id?: string }[]) =>
    conflicts.filter((c) => c.kind === 'change').map((c) => c.id);

  it('lists the other open changes on a shared service whose windows overlap, both ways', async () => {
    const keys = await submittedChange(t, 'priya', {
      title: 'Rotate card keys',
      plannedStart: at('14:00'),
      plannedEnd: at('15:00'),
    });
    const resize = await submittedChange(t, 'ana', {
      title: 'Resize payments DB',
      services: ['payments', 'website'],
      plannedStart: at('14:30'),
      plannedEnd: at('15:30'),
    });
    // Submit answers the overlap as a warning, and submits all the same.
    expect(resize.state).toBe('pending');
    expect(resize.conflicts).toEqual([
      {
        kind: 'change',
        id: keys.id,
        title: 'Rotate card keys',
        state: 'pending',
        services: ['payments'],
        plannedStart: at('14:00'),
        plannedEnd: at('15:00'),
      },
    ]);
    expect(ids(await conflictsOf(keys.id))).toEqual([resize.id]);

    // Not listed: a window that begins as this one ends, another service, a draft, a withdrawn change.
    const later = await submittedChange(t, 'priya', {
      plannedStart: at('15:30'),
      plannedEnd: at('16:00'),
    });
    const edge = await submittedChange(t, 'priya', {
      services: ['edge'],
      plannedStart: at('14:00'),
      plannedEnd: at('15:00'),
    });
    const draft = await t.call(
      'priya',
      'POST',
      '/changes',
      buildChange({ plannedStart: at('14:00'), plannedEnd: at('15:00') }),
    );
    expect(draft.status).toBe(201);
    // A draft is shown what it would collide with, but nobody else sees it.
    expect(ids(draft.body.conflicts)).toEqual([keys.id, resize.id]);
    const withdrawn = await submittedChange(t, 'priya', {
      plannedStart: at('14:15'),
      plannedEnd: at('14:45'),
    });
    // Soonest first.
    expect(ids(await conflictsOf(keys.id))).toEqual([withdrawn.id, resize.id]);
    expect(
      (await t.call('priya', 'POST', `/changes/${withdrawn.id}/withdraw`, { comment: 'Dup' }))
        .status,
    ).toBe(200);
    expect(ids(await conflictsOf(keys.id))).toEqual([resize.id]);
    expect(ids(await conflictsOf(later.id))).toEqual([]);
    expect(ids(await conflictsOf(edge.id))).toEqual([]);
    // A closed change shows none.
    expect(await conflictsOf(withdrawn.id)).toEqual([]);
  });

  it('lists the freezes the window touches, and leaves conflicts out of lists', async () => {
    const frozen = await submittedChange(t, 'priya', {
      plannedStart: '2026-12-20T10:00:00Z',
      plannedEnd: '2026-12-20T11:00:00Z',
    });
    expect(await conflictsOf(frozen.id)).toEqual([
      {
        kind: 'freeze',
        name: 'Year-end freeze',
        from: '2026-12-19T00:00:00.000Z',
        to: '2027-01-04T00:00:00.000Z',
      },
    ]);
    expect(frozen.freezeWarnings).toHaveLength(1);

    const list = await t.call('tom', 'GET', '/changes?limit=5');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    for (const item of list.body.items) expect(item).not.toHaveProperty('conflicts');
  });
});
