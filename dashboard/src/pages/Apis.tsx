// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function ApisPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="Apis">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
