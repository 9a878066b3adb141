// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function UserPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="User">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
