import { oneByOne, type Deliverer } from '../../notifications/deliverer.js';
import type { SlackMessenger } from './messenger.js';
import { SLACK_APP_KIND, type SlackJob } from './subscriber.js';

/** Delivers the Slack app's outbox rows: one per action on a change (subscriber.ts). */
export function slackAppDeliverer(messenger: SlackMessenger): Deliverer {
  return oneByOne(SLACK_APP_KIND, async (message) => {
    const job = message.payload as Partial<SlackJob> | null;
    if (message.changeId === null || !Array.isArray(job?.post))
      return { ok: false, permanent: true, reason: 'not a Slack app job' };
    if (job.note) return messenger.note(message.changeId, message.eventId, String(job.note.person));
    return messenger.sync(message.changeId, job.post.map(String));
  });
}
