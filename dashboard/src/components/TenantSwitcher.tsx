// Placeholder until the tenant switcher is written.
export function TenantSwitcher() {
  return null;
}
