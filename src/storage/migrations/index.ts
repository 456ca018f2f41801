import type { Migration } from 'kysely';
import type { DialectName } from '../database.js';
import { initial } from './0001-initial.js';
import { outbox } from './0002-outbox.js';
import { github } from './0003-github.js';
import { web } from './0004-web.js';
import { textSearch } from './0005-text-search.js';
import { rateLimits } from './0006-rate-limits.js';
import { tokenScopes } from './0007-token-scopes.js';
import { absences } from './0008-absences.js';
import { externalLinks } from './0009-external-links.js';
import { discussions } from './0010-discussions.js';
import { reviews } from './0011-reviews.js';
import { policyState } from './0014-policy-state.js';
import { insightTimings } from './0015-insight-timings.js';
import { slack } from './0016-slack.js';
import { standardTemplates } from './0012-standard-templates.js';
import { teams } from './0017-teams.js';
import { textSearchBlocks } from './0018-text-search-blocks.js';
import { insightChunks } from './0019-insight-chunks.js';
import { reviewsOwed } from './0020-reviews-owed.js';

/** A static index (no directory scanning): what runs is exactly what was reviewed. */
export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-initial': initial(dialect),
    '0002-outbox': outbox(),
    '0003-github': github(),
    '0004-web': web(),
    '0005-text-search': textSearch(dialect),
    '0006-rate-limits': rateLimits(),
    '0007-token-scopes': tokenScopes(),
    '0008-absences': absences(),
    '0009-external-links': externalLinks(),
    '0010-discussions': discussions(dialect),
    '0011-reviews': reviews(),
    '0012-standard-templates': standardTemplates(),
    '0014-policy-state': policyState(),
    '0015-insight-timings': insightTimings(),
    '0016-slack': slack(),
    '0017-teams': teams(),
    '0018-text-search-blocks': textSearchBlocks(dialect),
    '0019-insight-chunks': insightChunks(),
    '0020-reviews-owed': reviewsOwed(),
  };
}
