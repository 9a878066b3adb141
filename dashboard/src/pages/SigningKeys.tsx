// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function SigningKeysPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="SigningKeys">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
