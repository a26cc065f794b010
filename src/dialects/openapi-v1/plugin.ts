import type { FastifyPluginAsync } from 'fastify';
import type { DialectOptions } from '../index.ts';

/** Seed 003. (Being built: see the dialect's issue.) */
export const openApiV1: FastifyPluginAsync<DialectOptions> = async () => {};
