// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function LogsPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="Logs">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
