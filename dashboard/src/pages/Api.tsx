// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function ApiPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="Api">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
