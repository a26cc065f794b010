import { describe, expect, it } from 'vitest';
import { parseJsonKeepingNumbers, quoteNumbers, rawNumber, stringifyWithRawNumbers } from '../../../src/dialects/shared/json.ts';

describe('parseJsonKeepingNumbers', () => {
  it("keeps integers beyond 2^53 as their exact digits and leaves the rest to JSON.parse ('unsafe-integers')", () => {
    const text = '{"mid":347772778973233152,"id":"688346218203447296","n":42,"f":1.5,"e":1e21,"neg":-9007199254740993,"ok":9007199254740991}';
    expect(parseJsonKeepingNumbers(text, 'unsafe-integers')).toEqual({
      mid: '347772778973233152',
      id: '688346218203447296',
      n: 42,
      f: 1.5,
      e: 1e21,
      neg: '-9007199254740993',
      ok: 9007199254740991,
    });
    expect(parseJsonKeepingNumbers('[9007199254740993, [18446744073709551616]]', 'unsafe-integers')).toEqual(['9007199254740993', ['18446744073709551616']]);
  });

  it("turns every number into its own text ('all'), so decimals keep their digits", () => {
    expect(parseJsonKeepingNumbers('{"cost":1.10,"id":7,"big":6470844909275561985,"e":-2e3,"t":true}', 'all')).toEqual({
      cost: '1.10',
      id: '7',
      big: '6470844909275561985',
      e: '-2e3',
      t: true,
    });
  });

  it('does not touch digits inside strings, escaped quotes included', () => {
    const text = '{"a":"x\\"9007199254740993\\" 12345678901234567890","b\\\\":12345678901234567890}';
    expect(parseJsonKeepingNumbers(text, 'unsafe-integers')).toEqual({ a: 'x"9007199254740993" 12345678901234567890', 'b\\': '12345678901234567890' });
    expect(quoteNumbers('{"a":1}', 'unsafe-integers')).toBe('{"a":1}');
  });

  it('still refuses malformed JSON, leading zeros included', () => {
    expect(() => parseJsonKeepingNumbers('{"a":12345678901234567890', 'unsafe-integers')).toThrow(SyntaxError);
    expect(() => parseJsonKeepingNumbers('{"a":"unterminated', 'all')).toThrow(SyntaxError);
    for (const bad of ['{"a": 01}', '{"a": 1.}', '{"a": 12abc}', '{"a": -}', '{"a": "x}']) expect(() => parseJsonKeepingNumbers(bad, 'all'), bad).toThrow(SyntaxError);
  });
});

describe('stringifyWithRawNumbers', () => {
  it('prints raw numbers and bigints with their exact digits, the rest as JSON.stringify does', () => {
    const value = { _id: rawNumber('6470844909275561985'), cost: rawNumber('12.50'), n: 3n, s: 'x"y', skip: undefined, list: [null, true] };
    expect(stringifyWithRawNumbers(value)).toBe('{"_id":6470844909275561985,"cost":12.50,"n":3,"s":"x\\"y","list":[null,true]}');
    expect(() => rawNumber('1e5')).toThrow(TypeError);
  });

  it('leaves every string as it is, however it looks, and prints nested raw numbers and a bare one', () => {
    const lookalikes = ['~raw-0~12', '"~raw-~-1"', '\u0000', '12', 'x\\"~raw'];
    const value = { data: [{ id: rawNumber(1), tags: lookalikes, amount: rawNumber('-0.10') }], total: rawNumber(1), at: '2026-11-22 17:00:00' };
    const text = stringifyWithRawNumbers(value);
    expect(text).toBe(`{"data":[{"id":1,"tags":${JSON.stringify(lookalikes)},"amount":-0.10}],"total":1,"at":"2026-11-22 17:00:00"}`);
    expect(JSON.parse(text).data[0].tags).toEqual(lookalikes);
    expect(stringifyWithRawNumbers(rawNumber('42'))).toBe('42');
    expect(stringifyWithRawNumbers(undefined)).toBe('null');
  });
});
