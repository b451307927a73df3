import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { MessageText } from './ChatPanel';
import { linkify } from './linkify';

describe('linkify', () => {
  it('plain text is one text piece', () => {
    expect(linkify('안녕하세요 everyone')).toEqual([{ kind: 'text', text: '안녕하세요 everyone' }]);
  });

  it('http and https URLs become links, the rest stays text', () => {
    expect(linkify('see https://example.com/a?b=1 and http://x.org')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.org', href: 'http://x.org/' },
    ]);
  });

  it('trailing sentence punctuation is not part of the link', () => {
    const pieces = linkify('go to https://example.com/page.');
    expect(pieces[1]).toEqual({ kind: 'link', text: 'https://example.com/page', href: 'https://example.com/page' });
    expect(pieces[2]).toEqual({ kind: 'text', text: '.' });
    expect(linkify('(https://en.wikipedia.org/wiki/Foo_(bar))')[1]).toMatchObject({
      text: 'https://en.wikipedia.org/wiki/Foo_(bar))',
    });
  });

  it('other schemes are never links', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'file:///etc/passwd', 'JaVaScRiPt:alert(1)']) {
      expect(linkify(text).every((p) => p.kind === 'text')).toBe(true);
    }
  });

  it('a URL cannot smuggle quotes or angle brackets into the href', () => {
    const pieces = linkify('https://a.example/"><script>alert(1)</script>');
    const link = pieces.find((p) => p.kind === 'link');
    expect(link).toEqual({ kind: 'link', text: 'https://a.example/', href: 'https://a.example/' });
    expect(pieces.map((p) => p.text).join('')).toBe('https://a.example/"><script>alert(1)</script>');
  });

  it('the pieces always join back to the original text', () => {
    const samples = ['a https://x.y b https://z.w/q?x=<y> c', 'https://a.b,https://c.d', 'http://', '끝 https://예시.한국/경로!'];
    for (const s of samples) expect(linkify(s).map((p) => p.text).join('')).toBe(s);
  });
});

describe('chat message rendering', () => {
  it('<img src=x onerror=alert(1)> stays text', () => {
    const html = renderToStaticMarkup(<MessageText text="<img src=x onerror=alert(1)>" />);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('links open in a new tab without an opener', () => {
    const html = renderToStaticMarkup(<MessageText text="docs: https://example.com/?a=1&b=2" />);
    expect(html).toContain('<a href="https://example.com/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">');
  });

  it('a javascript: URL is rendered as text, not as a link', () => {
    const html = renderToStaticMarkup(<MessageText text="javascript:alert(document.cookie)" />);
    expect(html).not.toContain('<a');
  });
});
