import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

const LIMIT = 64 * 1024;

interface Part {
  field?: string;
  filename?: string;
  contentType?: string;
  content: Buffer | string;
}

/** A multipart/form-data body built by hand, as a browser would send it (RFC 7578). */
function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----genjin${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = [`form-data; name="${part.field ?? 'file'}"`];
    // Browsers send UTF-8 file names raw in the quoted string.
    if (part.filename !== undefined) disposition.push(`filename="${part.filename}"`);
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition.join('; ')}\r\n`));
    if (part.contentType) chunks.push(Buffer.from(`Content-Type: ${part.contentType}\r\n`));
    chunks.push(Buffer.from('\r\n'), Buffer.from(part.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(300)]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]);

describe('files', () => {
  let h: Harness;
  let tenant: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    h = await setupHarness({ fileLimit: LIMIT });
    tenant = await makeTenant(h);
    other = await makeTenant(h);
  });

  const upload = (parts: Part[], token: string | null = tenant.adminToken) => {
    const { payload, headers } = multipart(parts);
    return h.app.inject({ method: 'POST', url: '/api/v1/files', payload, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  };
  const download = (id: string, token: string | null = tenant.adminToken) =>
    h.app.inject({ method: 'GET', url: `/api/v1/files/${id}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('stores a file with a Chinese name and downloads the same bytes', async () => {
    const name = '客户拜访记录 2024(终版).pdf';
    const res = await upload([{ filename: name, contentType: 'application/pdf', content: PDF }]);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name,
      contentType: 'application/pdf',
      size: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
      url: `/api/v1/files/${body.id}`,
    });
    expect(body.createdAt).toMatch(/\+08:00$/);
    expect(res.headers.location).toBe(body.url);

    const got = await download(body.id);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(PDF)).toBe(true);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    const disposition = String(got.headers['content-disposition']);
    expect(disposition).toMatch(/^inline; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)![1]!;
    expect(encoded).not.toMatch(/[()'*\s]/);
    expect(decodeURIComponent(encoded)).toBe(name);
  });

  it('records the upload and its audit entry', async () => {
    const res = await upload([{ filename: 'logo.png', contentType: 'image/png', content: PNG }]);
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    const row = await h.database.db.selectFrom('stored_file').selectAll().where('tenant_id', '=', tenant.id).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'logo.png', content_type: 'image/png', size: String(PNG.length), created_by: tenant.adminId });
    const audit = await h.database.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenant.id).where('entity', '=', 'stored_file').where('entity_id', '=', id).execute();
    expect(audit.map((a) => a.action)).toEqual(['create']);
  });

  it('recognises a type from the extension when the browser declares octet-stream', async () => {
    const csv = Buffer.from('客户名称,电话\n武汉长江科技有限公司,13800001111\n');
    const res = await upload([{ filename: '客户.csv', contentType: 'application/octet-stream', content: csv }]);
    expect(res.statusCode).toBe(201);
    expect(res.json().contentType).toBe('text/csv');
    const got = await download(res.json().id);
    expect(got.rawPayload.equals(csv)).toBe(true);
    expect(String(got.headers['content-disposition'])).toMatch(/^attachment;/);
  });

  it('answers 413 for a file over the limit, and accepts one exactly at it', async () => {
    const res = await upload([{ filename: 'big.txt', contentType: 'text/plain', content: Buffer.alloc(LIMIT + 1, 'a') }]);
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'file_too_large', errors: [{ field: 'file' }] });
    const atLimit = await upload([{ filename: 'exact.txt', contentType: 'text/plain', content: Buffer.alloc(LIMIT, 'b') }]);
    expect(atLimit.statusCode).toBe(201);
  });

  it('answers 415 naming the field for executables, unknown types and content that lies about its type', async () => {
    for (const part of [
      { field: 'attachment', filename: 'setup.exe', contentType: 'application/x-msdownload', content: EXE },
      { field: 'attachment', filename: 'data.bin', contentType: 'application/octet-stream', content: randomBytes(100) },
      { field: 'attachment', filename: 'photo.png', contentType: 'image/png', content: EXE },
      { field: 'attachment', filename: 'readme.txt', contentType: 'text/plain', content: EXE },
      { field: 'attachment', filename: 'page.html', contentType: 'text/html', content: '<script>alert(1)</script>' },
    ]) {
      const res = await upload([part]);
      expect(res.statusCode, part.filename).toBe(415);
      expect(res.json()).toMatchObject({ type: '/problems/unsupported-media-type', code: 'unsupported_file_type', errors: [{ field: 'attachment' }] });
      expect(res.json().detail).toMatch(/^attachment: /);
    }
    const count = await h.database.db.selectFrom('stored_file').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant.id).where('name', 'in', ['setup.exe', 'data.bin', 'photo.png', 'readme.txt', 'page.html']).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('refuses a request without a file part, an empty file and a JSON body', async () => {
    const noFile = await upload([{ field: 'note', content: 'hello' }]);
    expect(noFile.statusCode).toBe(422);
    expect(noFile.json().errors).toEqual([expect.objectContaining({ field: 'file' })]);
    const empty = await upload([{ filename: 'empty.txt', contentType: 'text/plain', content: '' }]);
    expect(empty.statusCode).toBe(422);
    expect(empty.json().code).toBe('empty_file');
    const json = await h.app.inject({ method: 'POST', url: '/api/v1/files', payload: { name: 'x' }, headers: { authorization: `Bearer ${tenant.adminToken}` } });
    expect(json.statusCode).toBe(415);
  });

  it('needs authentication for uploads and downloads', async () => {
    const res = await upload([{ filename: 'a.pdf', contentType: 'application/pdf', content: PDF }], null);
    expect(res.statusCode).toBe(401);
    const stored = await upload([{ filename: 'b.pdf', contentType: 'application/pdf', content: PDF }]);
    const got = await download(stored.json().id, null);
    expect(got.statusCode).toBe(401);
    expect(got.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it("answers 404 for another tenant's file and for unknown ids", async () => {
    const stored = await upload([{ filename: '合同.pdf', contentType: 'application/pdf', content: PDF }]);
    expect(stored.statusCode).toBe(201);
    const foreign = await download(stored.json().id, other.adminToken);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().type).toBe('/problems/not-found');
    expect((await download('999999999')).statusCode).toBe(404);
  });
});
