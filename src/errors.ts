/**
 * Coded errors. Each code is stable and documented in docs/errors.md; a message says what to do.
 */

/** Every code berth reports; docs/errors.md explains each (a test keeps the two in step). */
export const ERROR_CODES = [
  'SPEC_SYNTAX',
  'SPEC_SCHEMA',
  'SPEC_DUPLICATE_KEY',
  'SPEC_REFERENCE',
  'SPEC_NAME',
  'SPEC_ROOT',
  'SPEC_PATH',
  'SPEC_VARIABLE',
  'NAME_CLASH',
  'DESTINATION_BLOCKED',
  'IMAGE_MISSING',
  'IMAGE_PULL',
  'START_FAILED',
  'DEPENDENCY_FAILED',
  'DOCKER',
  'NETWORK_FOREIGN',
  'NETWORK_IN_USE',
  'PRUNE_HELD',
  'MASS_PRUNE',
  'LOCKED',
  'CONFIG',
  'NOT_BUILT',
  'AGENT_UNREACHABLE',
  'HTTP_LISTEN',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error with a stable code and, optionally, the error that caused it. */
export class BerthError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'BerthError';
  }
}

/** Where in the specs a problem is: file (specs root joined with its path), line, field path. */
export interface SpecLocation {
  file: string;
  line: number;
  path: string;
}

/** An invalid spec: renders as `file:line path: message`. */
export class SpecError extends BerthError {
  constructor(
    code: ErrorCode,
    readonly location: SpecLocation,
    readonly detail: string,
  ) {
    super(code, formatLocation(location) + detail);
    this.name = 'SpecError';
  }
}

/** `specs/web.yaml:14 spec.ports[0]: ` — the prefix of every spec error. */
export function formatLocation(loc: SpecLocation): string {
  return `${loc.file}:${loc.line}${loc.path ? ' ' + loc.path : ''}: `;
}

/** The message of anything thrown, for logs and reports. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
