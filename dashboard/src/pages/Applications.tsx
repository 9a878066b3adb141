// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function ApplicationsPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="Applications">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
