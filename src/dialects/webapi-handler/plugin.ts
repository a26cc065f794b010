import type { FastifyPluginAsync } from 'fastify';
import type { DialectOptions } from '../index.ts';

/** Seed 004. (Being built: see the dialect's issue.) */
export const webApiHandler: FastifyPluginAsync<DialectOptions> = async () => {};
