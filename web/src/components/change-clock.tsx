import { useChangeClock } from '../api/queries.js';
import type { Change } from '../api/types.js';
import { clockLines } from '../lib/clock.js';
import { usePeople } from './ui.js';

/**
 * The seed's clock: created → verified (or its end), the request → each
 * approval, the start. Nothing is shown for a draft, nor while it loads: it is
 * an aside, not something to wait for.
 */
export function ChangeClockPanel({ change }: { change: Change }) {
  const clock = useChangeClock(change.id, change.version);
  const nameOf = usePeople();
  if (change.state === 'draft' || !clock.data) return null;
  return (
    <section className="panel" aria-labelledby="clock-heading">
      <h2 id="clock-heading" className="section-title">
        Clock
      </h2>
      <ul className="clock">
        {clockLines(clock.data, nameOf).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </section>
  );
}
