// A tenant log event as GET /api/v2/logs answers (spec §3.5.9; src/management/logs.ts). Its
// strings (description, user_agent, user_name…) may carry anything a caller sent: render as text.
import type { LogEvent } from '../../lib/log-filter.ts';

export interface LogEntry extends LogEvent {
  description: string;
  client_id: string;
  client_name: string;
  ip: string;
  user_agent: string;
  hostname: string;
  user_id: string;
  user_name: string;
  audience?: string;
  scope?: string;
  details: Record<string, unknown> | null;
}

export interface LogPage {
  start: number;
  limit: number;
  length: number;
  total: number;
  logs: LogEntry[];
}
