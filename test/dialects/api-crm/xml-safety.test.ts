import { beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { decodeXmlText, escapeXml, isNil, parseXml, refuseDeclarations, XmlRefused } from '../../../src/dialects/shared/xml.ts';
import { makeFollowUp, post, type SampleIds } from './crm.helpers.ts';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<FollowUpRecordDto xmlns="http://schemas.datacontract.org/2004/07/CMS.Domain.Dto"><FResult>&lol9;</FResult><Id>ID</Id></FollowUpRecordDto>`;

const EXTERNAL_ENTITY = `<?xml version="1.0"?>
<!DOCTYPE FollowUpRecordDto [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<FollowUpRecordDto xmlns="http://schemas.datacontract.org/2004/07/CMS.Domain.Dto"><FResult>&xxe;</FResult><Id>ID</Id></FollowUpRecordDto>`;

describe('api-crm: hostile XML', () => {
  let h: Harness;
  let tenant: TestTenant;
  let ids: SampleIds;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    ({ ids } = await makeFollowUp(h, tenant));
  });

  for (const [name, payload] of [
    ['a billion-laughs bomb', BILLION_LAUGHS],
    ['an external-entity payload', EXTERNAL_ENTITY],
  ] as const) {
    it(`refuses ${name} quickly, without memory growth, and writes nothing`, async () => {
      const body = payload.replace('ID', ids.id);
      // Warm up the route, then measure a batch.
      await post(h, { body, type: 'application/xml', token: tenant.adminToken });
      global.gc?.();
      const before = process.memoryUsage();
      const started = performance.now();
      for (let i = 0; i < 50; i++) {
        const res = await post(h, { body, type: 'application/xml', token: tenant.adminToken, accept: 'application/json' });
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ Code: '000001', IsSuccess: false, Extra: 'xml_dtd_refused' });
        expect(res.json.Msg).toMatch(/不接受 DTD 和实体声明/);
      }
      const elapsed = performance.now() - started;
      const after = process.memoryUsage();
      expect(elapsed).toBeLessThan(5_000);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(32 * 1024 * 1024);
      expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024);
      const stored = await h.services.followUps.get(tenant.ctx, ids.id);
      expect(stored.content).toBe('<p>初次拜访</p>');
    });
  }

  it('refuses elements nested deeper than the limit', async () => {
    const deep = `<FollowUpRecordDto><FResult>${'<b>'.repeat(100)}${'</b>'.repeat(100)}</FResult><Id>${ids.id}</Id></FollowUpRecordDto>`;
    const res = await post(h, { body: deep, type: 'text/xml', token: tenant.adminToken, accept: 'application/json' });
    expect(res.json).toMatchObject({ Code: '000001', Extra: 'malformed_xml', Msg: expect.stringContaining('nested deeper than 32') });
  });
});

describe('shared/xml', () => {
  it('refuses every markup declaration, but not a "<!" inside comments or CDATA', () => {
    for (const text of ['<!DOCTYPE a><a/>', '<a/><!ENTITY x "y">', '<a><!ELEMENT a ANY></a>', '<!doctype a SYSTEM "http://x/a.dtd"><a/>']) {
      expect(() => refuseDeclarations(text)).toThrow(XmlRefused);
    }
    expect(() => refuseDeclarations('<a><!-- <!DOCTYPE --><![CDATA[<!ENTITY]]></a>')).not.toThrow();
    expect(() => refuseDeclarations('<a><!-- open')).toThrow(/Unterminated comment/);
  });

  it('decodes only predefined entities and character references', () => {
    expect(decodeXmlText('&lt;&gt;&amp;&quot;&apos;&#20013;&#x6587;')).toBe('<>&"\'中文');
    expect(() => decodeXmlText('&nbsp;')).toThrow(/not defined/);
    expect(() => decodeXmlText('&#0;')).toThrow(/not a valid XML character/);
  });

  it('resolves namespaces, xsi:nil, and keeps CDATA as text', () => {
    const root = parseXml('<r xmlns="urn:a" xmlns:p="urn:b" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><p:x i:nil="true"/><y>1 &amp; <![CDATA[&amp;]]></y></r>');
    expect(root).toMatchObject({ name: 'r', namespace: 'urn:a' });
    expect(root.children.map((c) => [c.name, c.namespace])).toEqual([
      ['x', 'urn:b'],
      ['y', 'urn:a'],
    ]);
    expect(isNil(root.children[0]!)).toBe(true);
    expect(root.children[1]!.text).toBe('1 & &amp;');
  });

  it('refuses malformed, undeclared-prefix, oversized and multi-root documents', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlRefused);
    expect(() => parseXml('<p:a/>')).toThrow(/not declared/);
    expect(() => parseXml('<a>xxxx</a>', { maxLength: 5 })).toThrow(/longer than 5/);
    expect(() => parseXml('<a/><b/>')).toThrow(XmlRefused);
    expect(() => parseXml('<a><constructor/></a>')).toThrow(XmlRefused);
  });

  it('escapes text so that it always parses back', () => {
    const text = 'a<b>&"c\u0001\uFFFF';
    expect(escapeXml(text)).toBe('a&lt;b&gt;&amp;&quot;c');
    expect(parseXml(`<a x="${escapeXml(text)}">${escapeXml(text)}</a>`).text).toBe('a<b>&"c');
  });
});
