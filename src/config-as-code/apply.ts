// Runs an import plan through the Management API, one call after another, and describes plans for
// people (and scripts). The server checks each call again; should one be refused or the server
// fail, the import stops there: what ran before stays (each call is its own change, as with the
// Deploy CLI), and running the import again finishes it, since what already matches is skipped.
import type { ManagementApi } from './api.ts';
import type { Change, MadeClients, Plan, ResourceType } from './plan.ts';

export class ImportStopped extends Error {
  override name = 'ImportStopped';
  readonly applied: number;
  constructor(change: Change, applied: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `import stopped at "${change.kind} ${change.type} ${change.label}": ${reason}\n` +
        `${applied} change(s) before it were applied and stay; fix the cause and run the import again: what already matches the file is skipped.`,
      { cause },
    );
    this.applied = applied;
  }
}

export async function applyPlan(api: ManagementApi, plan: Plan): Promise<number> {
  const made: MadeClients = new Map();
  let applied = 0;
  for (const change of plan.changes) {
    if (!change.run) continue;
    try {
      await change.run(api, made);
    } catch (error) {
      throw new ImportStopped(change, applied, error);
    }
    applied++;
  }
  return applied;
}

const SIGN = { create: '+', update: '~', delete: '-', skip: '!' } as const;
const DISPLAY: ResourceType[] = ['tenant', 'resourceServers', 'clients', 'clientGrants', 'databases', 'connections'];

function changeLine(c: Change): string {
  const fields = c.fields?.length ? `: ${c.fields.join(', ')}` : '';
  return `${SIGN[c.kind]} ${c.kind.padEnd(6)} ${c.label}${fields}${c.note ? ` (${c.note})` : ''}`;
}

function count(plan: Plan, kind: Change['kind']): number {
  return plan.changes.filter((c) => c.kind === kind).length;
}

/** The plan for people: each change under its resource type, then the totals and what is kept. */
export function describePlan(plan: Plan): string[] {
  const lines: string[] = [];
  for (const type of DISPLAY) {
    const mine = plan.changes.filter((c) => c.type === type);
    if (mine.length === 0) continue;
    lines.push(`${type}:`, ...mine.map((c) => `  ${changeLine(c)}`));
  }
  if (lines.length === 0) lines.push('Nothing to change: the tenant already matches the file.');
  lines.push(`${count(plan, 'create')} to create, ${count(plan, 'update')} to update, ${count(plan, 'delete')} to delete, ${count(plan, 'skip')} skipped, ${plan.unchanged} unchanged.`);
  if (plan.kept.length > 0) {
    const names = plan.kept.map((k) => `${k.type} "${k.label}"`);
    lines.push(`Not in the file and kept (--allow-delete would delete them): ${names.join(', ')}.`);
  }
  return lines;
}

/** The plan for scripts (--json). */
export function planJson(plan: Plan): Record<string, unknown> {
  return {
    changes: plan.changes.map(({ type, kind, label, fields, note }) => ({ type, kind, label, ...(fields && { fields }), ...(note && { note }) })),
    unchanged: plan.unchanged,
    kept: plan.kept,
  };
}
