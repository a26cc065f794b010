import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { invalidField } from '../../core/shared/errors.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { contentDisposition, FileSchema, fileUrl, renderFile } from '../schemas/files.ts';
import type { RoutePlugin } from '../types.ts';

/** Images and PDFs open in the browser; everything else downloads. */
const INLINE = /^(image\/(jpeg|png|gif|webp|bmp)|application\/pdf)$/;

export const fileRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['files'];
  // Registered here, not on the whole API: only this route takes multipart bodies. One byte
  // over the limit lets the service tell "too large" from "exactly at the limit".
  await app.register(multipart, { limits: { fileSize: services.files.maxBytes + 1, files: 1, fields: 10, parts: 11 }, throwFileSizeLimit: false });

  app.post(
    '/files',
    {
      schema: {
        tags,
        summary: 'Upload a file',
        description: `multipart/form-data with one file part (field name \`file\`). At most ${services.files.maxBytes} bytes; images, PDF, Office and WPS documents, plain text, CSV and zip, checked against the file's first bytes.`,
        consumes: ['multipart/form-data'],
        response: { 201: FileSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw Object.assign(new Error('Send the file as multipart/form-data with a part named "file"'), { statusCode: 415 });
      }
      const part = await request.file();
      if (!part) throw invalidField('file', 'is required: send one multipart part with a file name');
      const file = await services.files.upload(request.ctx, { name: part.filename, declaredType: part.mimetype, content: part.file, field: part.fieldname });
      reply.code(201).header('location', fileUrl(file.id));
      return renderFile(request.ctx, file);
    },
  );

  app.get(
    '/files/:id',
    {
      schema: {
        tags,
        summary: 'Download a file',
        description: 'The bytes as uploaded, with their content type and the file name in Content-Disposition.',
        params: IdParams,
        response: { 200: Type.String({ format: 'binary', description: 'The file content' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { file, content } = await services.files.open(request.ctx, request.params.id);
      return reply
        .header('content-type', file.content_type)
        .header('content-length', file.size)
        .header('content-disposition', contentDisposition(INLINE.test(file.content_type) ? 'inline' : 'attachment', file.name))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=3600')
        .header('etag', `"${file.sha256}"`)
        .send(content);
    },
  );
};
