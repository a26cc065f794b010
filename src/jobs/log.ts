/** The part of a pino logger the job runner uses; Fastify's `app.log` is one. */
export interface JobLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const ignore = () => {};

export const silentLogger: JobLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** The text an error leaves in `job.last_error`: enough to act on, bounded in size. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
