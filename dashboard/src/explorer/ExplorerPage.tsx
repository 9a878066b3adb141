// Placeholder until the explorer is written.
export function ExplorerPage() {
  return <p>Explorer</p>;
}
