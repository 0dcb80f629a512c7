'use strict';

// TDLib's own parse_html cases (test/message_entities.cpp), plus the Bot API additions.
const test = require('node:test');
const assert = require('node:assert/strict');
const { parseHtml } = require('../lib/html');

const ok = (input, text, entities) => assert.deepEqual(parseHtml(input), { text, entities });
const err = (input, message) => assert.throws(() => parseHtml(input), { message });
const e = (type, offset, length, extra = {}) => ({ offset, length, type, ...extra });

test('errors carry TDLib messages and byte offsets', () => {
  err('🏟 🏟&lt;<abacaba', 'Unclosed start tag at byte offset 13');
  err('🏟 🏟&lt;<abac aba>', 'Unsupported start tag "abac" at byte offset 13');
  err('🏟 🏟&lt;<i   =aba>', 'Empty attribute name in the tag "i" at byte offset 13');
  err('🏟 🏟&lt;<i    aba>', 'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13');
  err('🏟 🏟&lt;<i    aba  =  ', 'Unclosed start tag "i" at byte offset 13');
  err('🏟 🏟&lt;<i    aba  =  190azAz-.,', 'Unexpected end of name token at byte offset 27');
  err('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', 'Unclosed start tag at byte offset 13');
  err('🏟 🏟&lt;</', 'Unexpected end tag at byte offset 13');
  err('🏟 🏟&lt;<b></b></', 'Unexpected end tag at byte offset 20');
  err('🏟 🏟&lt;<i>a</i   ', 'Unclosed end tag at byte offset 17');
  err('🏟 🏟&lt;<i>a</em   >', 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"');
  err('<b>x', 'Can\'t find end tag corresponding to start tag "b"');
  err('&#xDFDF;', 'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units');
  err('<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0');
  err('<tg-emoji emoji-id="0">x</tg-emoji>', 'Invalid custom emoji identifier specified');
});

test('entities count UTF-16 code units', () => {
  ok('', '', []);
  ok('&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;', '<>&"&laquo;&raquo;&#12345678;', []);
  ok('a & b', 'a & b', []);
  ok('➡️ ➡️<i>➡️ ➡️</i>', '➡️ ➡️➡️ ➡️', [e('italic', 5, 5)]);
  ok('🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>', '🏟 🏟🏟 ><🏟', [e('italic', 5, 7), e('bold', 9, 3)]);
  ok('🏟 🏟&lt;<i>🏟 🏟&lt;</>', '🏟 🏟<🏟 🏟<', [e('italic', 6, 6)]);
  ok('🏟 🏟&lt;<b></b>', '🏟 🏟<', []);
});

test('links, code blocks and Bot API additions', () => {
  ok('<a href=telegram.org> </a>', ' ', [e('text_link', 0, 1, { url: 'http://telegram.org/' })]);
  ok('<a>telegram.org</a>', 'telegram.org', [e('text_link', 0, 12, { url: 'http://telegram.org/' })]);
  ok('<a>telegram.org </a>', 'telegram.org ', []);
  ok('<a> </a>', ' ', []);
  ok('🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</></>', '🏟 🏟<🏟 🏟<', [e('pre', 6, 6, { language: 'fift' })]);
  ok('🏟 🏟&lt;<code class="language-fift"><pre>🏟 🏟&lt;</></>', '🏟 🏟<🏟 🏟<', [e('pre', 6, 6, { language: 'fift' })]);
  ok('🏟 🏟&lt;<pre><code>🏟 🏟&lt;</code></>', '🏟 🏟<🏟 🏟<', [e('pre', 6, 6), e('code', 6, 6)]);
  ok('<blockquote expandable>q</blockquote>', 'q', [e('expandable_blockquote', 0, 1)]);
  ok('<blockquote>q</blockquote>', 'q', [e('blockquote', 0, 1)]);
  ok('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', 'st', [e('spoiler', 0, 1), e('spoiler', 1, 1)]);
  ok('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', '👍', [e('custom_emoji', 0, 2, { custom_emoji_id: '5368324170671202286' })]);
});
