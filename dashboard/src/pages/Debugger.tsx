// Placeholder until the page is written.
import { Page, EmptyState } from '../components/ui.tsx';

export function DebuggerPage(_props: { params: Record<string, string> }) {
  return (
    <Page title="Debugger">
      <EmptyState title="Not built yet." />
    </Page>
  );
}
