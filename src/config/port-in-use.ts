// Issue 14: a port already taken stops the server with one line that names the port and how to
// choose another, not a stack trace.

export class PortInUse extends Error {
  override name = 'PortInUse';
  constructor(port: number, host: string) {
    super(`port ${port} is already in use on ${host}: stop whatever listens there, or choose another port with --port N (or the SCOPEWARD_PORT or PORT environment variable)`);
  }
}

export const isAddressInUse = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
