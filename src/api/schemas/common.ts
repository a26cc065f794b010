import { Type, type TSchema } from 'typebox';

export const ID_PATTERN = '^[1-9][0-9]{0,18}$';

export const Id = (description = 'Id (a 64-bit integer, written as a string)') =>
  Type.String({ pattern: ID_PATTERN, description, examples: ['1024'] });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Timestamp = (description: string) =>
  Type.String({ format: 'date-time', description: `${description} (ISO 8601 with the tenant's UTC offset)` });

export const IdParams = Type.Object({ id: Id() }, { additionalProperties: false });

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 1024, description: 'Opaque cursor from the previous page\'s `nextCursor`' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (1–500)' })),
};

export const Page = <T extends TSchema>(item: T, name: string) =>
  Type.Object(
    {
      items: Type.Array(item),
      nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` to get the next page; null on the last page' })),
    },
    { description: `A page of ${name}` },
  );

export const FieldIssue = Type.Object({
  field: Type.String({ description: 'The offending field (dotted path; query parameters and headers by name)' }),
  message: Type.String(),
});

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'Stable problem type URI; GET it for a description' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong, for people' }),
    code: Type.String({ description: 'Stable machine-readable reason, finer than `type`' }),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    requestId: Type.Optional(Type.String({ description: 'Also in the X-Request-Id header and the server logs' })),
    errors: Type.Optional(Type.Array(FieldIssue, { description: 'One entry per offending field' })),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

const ref = Type.Ref('Problem');

/** Error responses shared by authenticated routes, for the OpenAPI document and serialization. */
export const errorResponses = {
  400: ref,
  401: ref,
  403: ref,
  404: ref,
  409: ref,
  412: ref,
  413: ref,
  415: ref,
  422: ref,
  429: ref,
  500: ref,
};

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'ETag from a previous read; the write is refused with 412 if the resource changed since' })),
});
