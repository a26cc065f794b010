import type { FastifyReply } from 'fastify';
import type { FailureReply } from './errors.ts';
import { stringifyWithRawNumbers } from '../shared/json.ts';

/** Seed 001's JSON: ids and amounts keep their exact digits (json.ts). */
export function sendRecord(reply: FastifyReply, body: unknown, httpStatus = 200) {
  return reply.code(httpStatus).type('application/json; charset=utf-8').send(stringifyWithRawNumbers(body));
}

export const sendFailure = (reply: FastifyReply, f: FailureReply) => sendRecord(reply, f.body, f.httpStatus);
