import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildChange,
  completeAnswers,
  startTestApp,
  submittedChange,
  type TestApp,
} from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

describe.each(databaseKinds)('board filters and per-viewer actions on $name', (kind) => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp(kind);
    // Payments changes wait for lee (payments-owners); website ones for ana and dev.
    for (let i = 0; i < 5; i++) {
      ids[`payments${i}`] = (
        await submittedChange(t, 'priya', {
          title: `Payments change ${i}`,
          answers: completeAnswers({ risk: i % 2 === 0 ? 'high' : 'low' }),
        })
      ).id;
      ids[`website${i}`] = (
        await submittedChange(t, 'sam', { title: `Website change ${i}`, services: ['website'] })
      ).id;
    }
    // Lee's own change never waits for lee.
    ids.lees = (await submittedChange(t, 'lee', { title: 'Lee asks' })).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const titles = (body: { items: { title: string }[] }) => body.items.map((c) => c.title);

  describe('awaiting=me', () => {
    it('needs a caller', async () => {
      expect((await t.call(null, 'GET', '/changes?awaiting=me')).status).toBe(401);
    });

    it('refuses anything but me', async () => {
      const res = await t.call('lee', 'GET', '/changes?awaiting=lee');
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('query.awaiting');
    });

    it('lists the pending changes the caller can approve now, newest first', async () => {
      const res = await t.call('lee', 'GET', '/changes?awaiting=me');
      expect(res.status).toBe(200);
      expect(titles(res.body)).toEqual([4, 3, 2, 1, 0].map((i) => `Payments change ${i}`));
      for (const change of res.body.items) expect(change.waitingFor).toContain('lee');
      expect(titles((await t.call('tom', 'GET', '/changes?awaiting=me')).body)).toEqual([]);
    });

    it('pages exactly, with the cursor, even when most rows are filtered out', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { body: { items: { title: string }[]; nextCursor: string | null } } =
          await t.call(
            'ana',
            'GET',
            `/changes?awaiting=me&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          );
        seen.push(...titles(res.body));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `Website change ${i}`));
      expect(pages).toBe(3);
    });

    it('drops a change once the caller decided, or its requirement is met by someone else', async () => {
      await t.call('lee', 'POST', `/changes/${ids.payments0}/approve`, {});
      const lee = titles((await t.call('lee', 'GET', '/changes?awaiting=me')).body);
      expect(lee).not.toContain('Payments change 0');
      await t.call('dev', 'POST', `/changes/${ids.website0}/approve`, {});
      const ana = titles((await t.call('ana', 'GET', '/changes?awaiting=me')).body);
      expect(ana).not.toContain('Website change 0');
      expect(ana).toContain('Website change 1');
      // priya is in payments-owners too, so Lee's change waits for her.
      expect(titles((await t.call('priya', 'GET', '/changes?awaiting=me')).body)).toEqual([
        'Lee asks',
      ]);
    });

    it('combines with the other filters', async () => {
      const res = await t.call('lee', 'GET', '/changes?awaiting=me&answer=risk:low');
      expect(titles(res.body)).toEqual(['Payments change 3', 'Payments change 1']);
    });
  });

  describe('answer=field:value', () => {
    it('matches answers, values of one field being alternatives', async () => {
      const high = await t.call('kim', 'GET', '/changes?answer=risk:high&service=payments');
      expect(titles(high.body)).toEqual([
        'Payments change 4',
        'Payments change 2',
        'Payments change 0',
      ]);
      const either = await t.call(
        'kim',
        'GET',
        '/changes?answer=risk:high,risk:low&service=payments',
      );
      expect(either.body.items).toHaveLength(6);
      const typed = await t.call('kim', 'GET', '/changes?answer=tested:true,risk:high');
      expect(typed.body.items).toHaveLength(3);
      expect((await t.call('kim', 'GET', '/changes?answer=tested:false')).body.items).toEqual([]);
    });

    it('refuses unknown fields and values the field cannot have', async () => {
      const res = await t.call('kim', 'GET', '/changes?answer=risk:extreme,colour:red,risk');
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { message: string }) => d.message)).toEqual([
        'risk: must be one of: low, medium, high',
        expect.stringContaining('unknown field "colour"'),
        '"risk" must be written field:value',
      ]);
    });
  });

  describe('plannedFrom and plannedTo', () => {
    it('finds changes whose planned window overlaps, half-open', async () => {
      const created = await t.call(
        'priya',
        'POST',
        '/changes',
        buildChange({
          title: 'Late change',
          plannedStart: '2027-02-01T10:00:00Z',
          plannedEnd: '2027-02-01T11:00:00Z',
        }),
      );
      expect(created.status).toBe(201);
      const overlap = await t.call(
        'kim',
        'GET',
        '/changes?plannedFrom=2027-02-01T10:30:00Z&plannedTo=2027-02-01T12:00:00Z',
      );
      expect(titles(overlap.body)).toEqual(['Late change']);
      const touching = await t.call(
        'kim',
        'GET',
        '/changes?plannedFrom=2027-02-01T11:00:00Z&plannedTo=2027-02-01T12:00:00Z',
      );
      expect(titles(touching.body)).toEqual([]);
    });

    it('refuses one without the other, or a window that ends first', async () => {
      expect((await t.call('kim', 'GET', '/changes?plannedFrom=2027-02-01T10:30:00Z')).status).toBe(
        400,
      );
      expect(
        (
          await t.call(
            'kim',
            'GET',
            '/changes?plannedFrom=2027-02-02T00:00:00Z&plannedTo=2027-02-01T00:00:00Z',
          )
        ).status,
      ).toBe(400);
    });
  });

  describe('actions and descriptionHtml in the change JSON', () => {
    it('lists what each viewer may do now', async () => {
      const id = ids.payments1;
      const as = async (person: string) =>
        (await t.call(person, 'GET', `/changes/${id}`)).body.actions;
      // Everyone but the requester may also ask the requester a question.
      expect(await as('priya')).toEqual(['edit', 'withdraw', 'comment']);
      expect(await as('lee')).toEqual(['approve', 'reject', 'comment', 'ask']);
      expect(await as('tom')).toEqual(['comment', 'ask']);
      expect(await as('dev')).toEqual(['withdraw', 'comment', 'ask']);
      const list = await t.call('lee', 'GET', '/changes?awaiting=me&limit=1');
      expect(list.body.items[0].actions).toEqual(['approve', 'reject', 'comment', 'ask']);
    });

    it('renders the description as sanitised HTML', async () => {
      const res = await t.call(
        'priya',
        'POST',
        '/changes',
        buildChange({ description: 'Raise the **limit** <script>alert(1)</script>' }),
      );
      expect(res.body.descriptionHtml).toBe(
        '<p>Raise the <strong>limit</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n',
      );
    });
  });
});
