import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { isNil, parseXml, type XmlElement } from '../../../src/dialects/shared/xml.ts';

export type Params = Record<string, string | number>;

export interface WireAnswer {
  status: number;
  /** The parsed JSON body, or for XML the raw text. */
  body: any;
  xml?: XmlElement;
  contentType: string;
  headers: Record<string, string | string[] | number | undefined>;
}

/** The seed's spelling of a handler path, e.g. `Customer/GetAllList` → /WebApi/Handler/1.0/CRM/Customer/GetAllList.ashx. */
export const pathOf = (handler: string) => `/WebApi/Handler/1.0/CRM/${handler}.ashx`;

function encode(params: Params): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
}

/** Calls handlers of seed 004 over app.inject(): GET with a query string, or POST with a form body. */
export function webapi(app: FastifyInstance, token?: string) {
  const call = async (handler: string, params: Params = {}, options: { method?: 'GET' | 'POST'; format?: 'json' | 'xml' } = {}): Promise<WireAnswer> => {
    const all: Params = { ...(token ? { token } : {}), ...(options.format ? { format: options.format } : {}), ...params };
    const method = options.method ?? 'GET';
    const response =
      method === 'GET'
        ? await app.inject({ method, url: `${pathOf(handler)}?${encode(all)}` })
        : await app.inject({ method, url: pathOf(handler), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: encode(all) });
    const contentType = String(response.headers['content-type'] ?? '');
    const headers = response.headers;
    if (contentType.includes('xml')) return { status: response.statusCode, body: response.body, xml: parseXml(response.body), contentType, headers };
    return { status: response.statusCode, body: response.json(), contentType, headers };
  };

  /** The value of a successful call, in JSON. */
  const value = async (handler: string, params: Params = {}, method: 'GET' | 'POST' = 'GET') => {
    const res = await call(handler, params, { method });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Object.keys(res.body)).toEqual(['value']);
    return res.body.value;
  };

  /**
   * A read-only handler answered twice, GET in JSON and POST (form) in XML, with the same value:
   * the XML document is `<value>` holding the JSON value's properties/items in order.
   */
  const both = async (handler: string, params: Params = {}) => {
    const json = await value(handler, params, 'GET');
    const res = await call(handler, params, { method: 'POST', format: 'xml' });
    expect(res.status, res.body).toBe(200);
    expect(res.contentType).toContain('application/xml');
    expect(res.xml!.name).toBe('value');
    expectXmlMatches(res.xml!, json);
    return json;
  };

  /** A change the core refused: the seed's failure value with HTTP 200, the reason in X-Genjin-Refusal. */
  const refused = async (handler: string, params: Params, failure: false | -1 | 0, method: 'GET' | 'POST' = 'GET') => {
    const res = await call(handler, params, { method });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ value: failure });
    const header = String(res.headers['x-genjin-refusal'] ?? '');
    expect(header).toMatch(/^[a-z_]+; \S+/);
    return decodeURIComponent(header.slice(header.indexOf('; ') + 2));
  };

  /** An error answer: status, code and the parameter it names. */
  const error = async (handler: string, params: Params, expected: { status: number; code: number; field?: string }, method: 'GET' | 'POST' = 'GET') => {
    const res = await call(handler, params, { method });
    expect(res.status, JSON.stringify(res.body)).toBe(expected.status);
    expect(res.body.error_code).toBe(expected.code);
    expect(typeof res.body.error_msg).toBe('string');
    if (expected.field) expect(res.body.error_field).toBe(expected.field);
    return res.body;
  };

  return { call, value, both, refused, error };
}

export type WebApi = ReturnType<typeof webapi>;

/** The XML element carries exactly the JSON value: objects by property order, lists item by item, null as xsi:nil. */
export function expectXmlMatches(element: XmlElement, json: unknown, path = 'value'): void {
  if (json === null) {
    expect(isNil(element), `${path} should be nil`).toBe(true);
    return;
  }
  if (Array.isArray(json)) {
    expect(element.children.length, `${path} items`).toBe(json.length);
    json.forEach((item, i) => expectXmlMatches(element.children[i]!, item, `${path}[${i}]`));
    return;
  }
  if (typeof json === 'object') {
    expect(element.children.map((c) => c.name), `${path} properties`).toEqual(Object.keys(json as object));
    for (const child of element.children) expectXmlMatches(child, (json as Record<string, unknown>)[child.name], `${path}.${child.name}`);
    return;
  }
  expect(element.text, path).toBe(String(json));
}

/** Error codes of README.md. */
export const CODES = { auth: 1001, missing: 1002, invalid: 1003, notFound: 1004, conflict: 1005, forbidden: 1006 } as const;
