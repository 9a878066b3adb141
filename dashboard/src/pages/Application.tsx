// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function ApplicationPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="Application">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
