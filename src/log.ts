import type { FastifyBaseLogger } from 'fastify';

/** What the background workers (mail relay, scheduler) log through: the app's own logger. */
export type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
