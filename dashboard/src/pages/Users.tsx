// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function UsersPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="Users">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
