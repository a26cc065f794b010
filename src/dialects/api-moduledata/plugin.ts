import type { FastifyPluginAsync } from 'fastify';
import type { DialectOptions } from '../index.ts';

/** Seed 002. (Being built: see the dialect's issue.) */
export const apiModuleData: FastifyPluginAsync<DialectOptions> = async () => {};
