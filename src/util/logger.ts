import path from 'node:path';
import winston from 'winston';
import { DiagnosticsFile } from './diagnostics-file.js';

/** The narrow logging interface the code depends on; winston is one implementation. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export interface LoggerOptions {
  /** Folder of the JSON diagnostics file; none means console only. */
  logDir?: string;
  /** File name inside logDir. */
  fileName: string;
  /** Console level; diagnostics go to stderr so stdout keeps the product's texts. */
  consoleLevel: 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

/** Diagnostics: console (stderr) plus a rotated JSON file in the log folder. */
export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [];
  if (options.consoleLevel !== 'silent') {
    transports.push(
      new winston.transports.Console({
        level: options.consoleLevel,
        stderrLevels: ['error', 'warn', 'info', 'debug'],
        format: winston.format.combine(
          winston.format.colorize(),
          winston.format.printf(({ level, message, ...meta }) => {
            const fields = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
            return `[${level}] ${String(message)}${fields}`;
          }),
        ),
      }),
    );
  }
  if (options.logDir) {
    transports.push(
      // Not winston's File transport: on a full disk it stops the whole logger for good
      // (diagnostics-file.ts).
      new winston.transports.Stream({
        level: 'debug',
        stream: new DiagnosticsFile(
          path.join(options.logDir, options.fileName),
          5 * 1024 * 1024,
          3,
        ),
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      }),
    );
  }
  if (transports.length === 0) return silentLogger;
  return winston.createLogger({ transports });
}
