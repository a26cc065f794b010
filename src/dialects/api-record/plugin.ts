import type { FastifyPluginAsync } from 'fastify';
import type { DialectOptions } from '../index.ts';

/** Seed 001. (Being built: see the dialect's issue.) */
export const apiRecord: FastifyPluginAsync<DialectOptions> = async () => {};
