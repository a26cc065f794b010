import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText, summarise } from './plain-text.ts';

describe('htmlToText', () => {
  it('leaves plain text alone but for blanks', () => {
    expect(htmlToText('  客户 a < b,  价格>100  ')).toBe('客户 a < b, 价格>100');
  });

  it('turns blocks and line breaks into single line breaks and drops other tags', () => {
    expect(htmlToText('<div><p>第一段</p><p>第<b>二</b>段<br>下一行</p><ul><li>甲</li><li>乙</li></ul></div>')).toBe('第一段\n第二段\n下一行\n甲\n乙');
    expect(htmlToText('<table><tr><td>A</td><td>B</td></tr></table>')).toBe('A B');
  });

  it('drops scripts, styles and comments, and copes with a > inside an attribute', () => {
    expect(htmlToText('<style>p{color:red}</style><script>if (a > b) x()</script><!-- 备注 -->正文<img alt="a>b" src="x.png">')).toBe('正文');
  });

  it('decodes named, decimal and hexadecimal entities and keeps unknown ones', () => {
    expect(decodeEntities('&lt;b&gt; &amp;amp; &quot;&#39;&#x4F60;&#22909; &nbsp;&hellip; &bogus; &constructor; &#0;')).toBe('<b> &amp; "\'你好  … &bogus; &constructor; \uFFFD');
  });
});

describe('summarise', () => {
  it('keeps short text and cuts long text at a code point, with an ellipsis', () => {
    expect(summarise('第一行\n第二行')).toBe('第一行 第二行');
    const cut = summarise('😀'.repeat(120), 100);
    expect(Array.from(cut)).toHaveLength(100);
    expect(cut.endsWith('…')).toBe(true);
  });
});
