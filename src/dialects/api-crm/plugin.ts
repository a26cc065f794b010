import type { FastifyPluginAsync } from 'fastify';
import type { DialectOptions } from '../index.ts';

/** Seed 000. (Being built: see the dialect's issue.) */
export const apiCrm: FastifyPluginAsync<DialectOptions> = async () => {};
