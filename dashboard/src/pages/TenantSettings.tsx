// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function TenantSettingsPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="TenantSettings">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
