import { describe, expect, it } from 'vitest';
import { htmlToText } from '../follow-ups/plain-text.ts';
import { asContent, company, followUpText, mobile } from './builders.ts';
import { chunkShare } from './generate.ts';
import { FOLLOW_UP_PHRASES, type PhraseKind } from './pools.ts';
import { apportion, Random } from './random.ts';

describe('demo data building blocks', () => {
  it('draws the same numbers for the same seed, stream and index, and different ones otherwise', () => {
    const draw = (seed: number, stream: string, index: number) => {
      const r = new Random(seed, stream, index);
      return Array.from({ length: 5 }, () => r.next());
    };
    expect(draw(1, 'customer', 7)).toEqual(draw(1, 'customer', 7));
    expect(draw(1, 'customer', 7)).not.toEqual(draw(2, 'customer', 7));
    expect(draw(1, 'customer', 7)).not.toEqual(draw(1, 'customer', 8));
    expect(draw(1, 'customer', 7)).not.toEqual(draw(1, 'plans', 7));
    for (const x of draw(3, 'x', 0)) expect(x >= 0 && x < 1).toBe(true);
  });

  it('apportions totals exactly, in proportion to the weights', () => {
    expect(apportion(10, [1, 1, 2])).toEqual([3, 2, 5]);
    expect(apportion(7, [0, 0, 0])).toEqual([3, 2, 2]);
    const parts = apportion(1000, [0.5, 3, 0, 1.25, 2]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(parts[2]).toBe(0);
  });

  it('splits every total over the chunks without losing a row', () => {
    const totals = { customers: 2_345, followUps: 23_459, contacts: 469, opportunities: 235, plans: 1_173 };
    const sum = { customers: 0, followUps: 0, contacts: 0, opportunities: 0, plans: 0 };
    for (let c = 0; c * 1000 < totals.customers; c++) {
      const share = chunkShare(c, totals);
      for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += share[key];
    }
    expect(sum).toEqual(totals);
  });

  it('writes plain text that is what the follow-up service derives from the HTML', () => {
    const r = new Random(5, 'content');
    for (let i = 0; i < 2000; i++) {
      const kind = r.pick(Object.keys(FOLLOW_UP_PHRASES) as PhraseKind[]);
      const { html, text } = asContent(r, followUpText(r, kind, r.chance(0.5) ? '王总' : null).parts);
      expect(text).toBe(htmlToText(html));
    }
  });

  it('makes Chinese company names and mainland mobile numbers', () => {
    const r = new Random(9, 'names');
    for (let i = 0; i < 200; i++) {
      expect(company(r).name).toMatch(/^[\u4e00-\u9fa5（）]+$/);
      expect(mobile(r)).toMatch(/^1[358]\d{9}$/);
    }
  });
});
