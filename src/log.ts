/** The logger: pino JSON lines, with serializers that trim errors to their message and code. */
import pino, { Logger } from 'pino';

/** A logger at `level` writing JSON lines to `destination` (a file descriptor; 2 = stderr). */
export function createLogger(level: string, destination = 2): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: {
        err: (e: unknown) =>
          e instanceof Error ? { message: e.message, code: (e as { code?: string }).code } : e,
      },
    },
    pino.destination({ fd: destination, sync: true }),
  );
}
