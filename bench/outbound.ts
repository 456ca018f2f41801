/**
 * What one delivery's HTTP costs the process that sends it: `count` POSTs of a
 * card-sized body through Changeboard's own outbound client to `url`, eight at a
 * time, timed by this process's CPU (user + system), so the answer is what one
 * core could send doing nothing else. Prints `{ "perSecond": … }`.
 *
 *   node --import tsx bench/outbound.ts http://127.0.0.1:PORT/hook 2000
 */
import { createOutboundClient } from '../src/shared/outbound-http.js';

const [url, countText = '2000'] = process.argv.slice(2);
if (!url) throw new Error('usage: outbound.ts <url> [count]');
const count = Number(countText);
const send = createOutboundClient({ allowPrivate: true });
// About the size of a Teams card for a change (templates/teams.ts).
const body = JSON.stringify({
  type: 'message',
  attachments: [
    { contentType: 'application/vnd.microsoft.card.adaptive', content: 'x'.repeat(3_000) },
  ],
});

async function sendAll(total: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < total)
        await send({ url: url!, body, headers: { 'content-type': 'application/json' } });
    }),
  );
}

await sendAll(Math.min(200, count));
const started = process.cpuUsage();
await sendAll(count);
const used = process.cpuUsage(started);
console.log(JSON.stringify({ perSecond: count / ((used.user + used.system) / 1e6) }));
