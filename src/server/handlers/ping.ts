import type { Handler } from './types.js';

/** Liveness check, answered in any state. */
export const ping: Handler<'ping'> = async () => ({});
