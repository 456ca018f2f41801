import { EmptyState, PageHeading } from '../components/ui.js';
import { Link } from '../lib/router.js';

export function NotFoundPage() {
  return (
    <div className="page narrow">
      <PageHeading title="Not found">Page not found</PageHeading>
      <EmptyState title="There is nothing at this address." icon="?">
        <Link href="/">Back to the board</Link>
      </EmptyState>
    </div>
  );
}
