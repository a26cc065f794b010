import { XMLParser } from 'fast-xml-parser';
import type { InjectOptions } from 'fastify';
import type { Harness, TestTenant } from '../../helpers/harness.ts';
import { makeCustomer } from '../../helpers/crm.ts';

/** Seed 000's samples, byte for byte as the seed prints them. */
export const SAMPLE_JSON = `{
  "Id": 1,
  "CustomerId": 1,
  "CustomerName": "sample string 2",
  "EmployeeId": 1,
  "EmployeeName": "sample string 3",
  "FtypeId": 1,
  "FtypeName": "sample string 4",
  "FResult": "sample string 5",
  "FSite": "sample string 6",
  "FollowDate": "2026-03-31 21:49:35",
  "File": [
    {
      "Id": 1,
      "BusinessCode": "sample string 2",
      "AttachName": "sample string 3",
      "AttachUrl": "sample string 4"
    },
    {
      "Id": 1,
      "BusinessCode": "sample string 2",
      "AttachName": "sample string 3",
      "AttachUrl": "sample string 4"
    }
  ]
}`;

export const SAMPLE_XML = `<FollowUpRecordDto xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/CMS.Domain.Dto">
  <CustomerId>1</CustomerId>
  <CustomerName>sample string 2</CustomerName>
  <EmployeeId>1</EmployeeId>
  <EmployeeName>sample string 3</EmployeeName>
  <FResult>sample string 5</FResult>
  <FSite>sample string 6</FSite>
  <File>
    <AttachmentInfo>
      <AttachName>sample string 3</AttachName>
      <AttachUrl>sample string 4</AttachUrl>
      <BusinessCode>sample string 2</BusinessCode>
      <Id>1</Id>
    </AttachmentInfo>
    <AttachmentInfo>
      <AttachName>sample string 3</AttachName>
      <AttachUrl>sample string 4</AttachUrl>
      <BusinessCode>sample string 2</BusinessCode>
      <Id>1</Id>
    </AttachmentInfo>
  </File>
  <FollowDate>2026-03-31T21:49:35.5573666+08:00</FollowDate>
  <FtypeId>1</FtypeId>
  <FtypeName>sample string 4</FtypeName>
  <Id>1</Id>
</FollowUpRecordDto>`;

/** The seed's sample response, for comparing field names and JSON types. */
export const SAMPLE_RESPONSE_JSON = { Data: {}, IsSuccess: true, Msg: 'sample string 3', Extra: 'sample string 4', Code: 'sample string 5' };

export const SAMPLE_RESPONSE_XML = `<InfoResult xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/CMS.Core.ShareData">
  <Code>sample string 5</Code>
  <Extra>sample string 4</Extra>
  <IsSuccess>true</IsSuccess>
  <Msg>sample string 3</Msg>
  <Data />
</InfoResult>`;

export interface SampleIds {
  id: string;
  customerId: string;
  employeeId: string;
  attachmentIds: [string, string];
}

/** Replaces the n-th match of each pattern in turn with the given values. */
function replaceInOrder(text: string, pattern: RegExp, values: string[]): string {
  let i = 0;
  return text.replace(pattern, (all) => {
    const value = values[i++];
    return value === undefined ? all : all.replace('1', value);
  });
}

/** The JSON sample with the ids of data the test made (the seed repeats Id 1 for both files). */
export function sampleJson(ids: SampleIds): string {
  let text = replaceInOrder(SAMPLE_JSON, /"Id": 1/g, [ids.id, ...ids.attachmentIds]);
  text = text.replace('"CustomerId": 1', `"CustomerId": ${ids.customerId}`).replace('"EmployeeId": 1', `"EmployeeId": ${ids.employeeId}`);
  return text;
}

export function sampleXml(ids: SampleIds): string {
  let text = replaceInOrder(SAMPLE_XML, /<Id>1<\/Id>/g, [...ids.attachmentIds, ids.id]);
  text = text.replace('<CustomerId>1</CustomerId>', `<CustomerId>${ids.customerId}</CustomerId>`).replace('<EmployeeId>1</EmployeeId>', `<EmployeeId>${ids.employeeId}</EmployeeId>`);
  return text;
}

/** The same record as an ASP.NET model-binding form (the seed shows no form sample). */
export function sampleForm(ids: SampleIds): string {
  const form = new URLSearchParams({
    Id: ids.id,
    CustomerId: ids.customerId,
    CustomerName: 'sample string 2',
    EmployeeId: ids.employeeId,
    EmployeeName: 'sample string 3',
    FtypeId: '1',
    FtypeName: 'sample string 4',
    FResult: 'sample string 5',
    FSite: 'sample string 6',
    FollowDate: '2026-03-31 21:49:35',
  });
  ids.attachmentIds.forEach((id, i) => {
    form.append(`File[${i}].Id`, id);
    form.append(`File[${i}].BusinessCode`, 'sample string 2');
    form.append(`File[${i}].AttachName`, 'sample string 3');
    form.append(`File[${i}].AttachUrl`, 'sample string 4');
  });
  return form.toString();
}

/** A follow-up of a fresh customer with two attachments, written as the tenant's admin. */
export async function makeFollowUp(h: Harness, tenant: TestTenant) {
  const customer = await makeCustomer(h, tenant.ctx);
  const followUp = await h.services.followUps.create(tenant.ctx, {
    customerId: customer.id,
    userId: tenant.adminId,
    content: '<p>初次拜访</p>',
    attachments: [
      { name: 'a.jpg', url: 'https://files.example.com/a.jpg', businessCode: 'photo' },
      { name: 'b.pdf', url: 'https://files.example.com/b.pdf' },
    ],
  });
  return { customer, followUp, ids: { id: followUp.id, customerId: customer.id, employeeId: tenant.adminId, attachmentIds: [followUp.attachments[0]!.id, followUp.attachments[1]!.id] as [string, string] } };
}

export const UPDATE_URL = '/api/CRM/UpdateFollowUp';

/** POSTs a raw body to the endpoint. */
export async function post(h: Harness, options: { body: string; type: string; token?: string; accept?: string; url?: string; headers?: Record<string, string> }) {
  const headers: Record<string, string> = { 'content-type': options.type, ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.accept) headers.accept = options.accept;
  const inject: InjectOptions = { method: 'POST', url: options.url ?? UPDATE_URL, headers, payload: options.body };
  const res = await h.app.inject(inject);
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, type, text: res.body, json: type.includes('json') ? res.json() : undefined };
}

export const postJson = (h: Harness, token: string | undefined, body: unknown, extra: { accept?: string; url?: string } = {}) =>
  post(h, { body: typeof body === 'string' ? body : JSON.stringify(body), type: 'application/json', token, ...extra });

/** Element names in document order with their namespace URIs, attributes as written. */
export interface XmlShape {
  name: string;
  attributes: Record<string, string>;
  children: XmlShape[];
  text: string;
}

const shapeParser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: true });

export function xmlShape(text: string): XmlShape {
  const toShape = (node: Record<string, unknown>): XmlShape => {
    const name = Object.keys(node).find((k) => k !== ':@')!;
    const kids = (node[name] as Record<string, unknown>[]) ?? [];
    return {
      name,
      attributes: (node[':@'] as Record<string, string>) ?? {},
      children: kids.filter((k) => !('#text' in k)).map(toShape),
      text: kids.filter((k) => '#text' in k).map((k) => String(k['#text'])).join(''),
    };
  };
  const nodes = shapeParser.parse(text) as Record<string, unknown>[];
  return toShape(nodes.find((n) => !('?xml' in n))!);
}
