import type { LoggerService } from '@nestjs/common';
import { getLogger } from './logger';

/** Routes Nest's own log lines (module init, routes) into our structured log. */
export class NestLogger implements LoggerService {
  private readonly logger = getLogger('nest');

  private static text(message: unknown): string {
    return typeof message === 'string' ? message : JSON.stringify(message);
  }

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, NestLogger.text(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, NestLogger.text(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, NestLogger.text(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, NestLogger.text(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.debug({ context }, NestLogger.text(message));
  }
}
