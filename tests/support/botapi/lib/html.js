'use strict';

/*
 * Telegram's HTML parse mode, ported from TDLib's parse_html (td/telegram/MessageEntity.cpp),
 * which is what the Bot API runs. Porting it (rather than using a generic HTML parser) keeps
 * the error texts, the byte offsets in them and the entity boundaries identical to Telegram's.
 * Note that, like Telegram, unknown named entities ("&laquo;") and a lone "&" are kept as
 * literal text, not rejected. The parser walks UTF-8 bytes (errors report byte offsets) and
 * counts UTF-16 code units for entity offsets. Newer Bot API addition: <blockquote expandable>.
 */
const { checkedUrl, userIdFromLink } = require('./links');

const TAGS = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins', 'tg-spoiler', 'tg-emoji',
  'span', 'pre', 'code', 'blockquote',
]);
const SIMPLE = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler',
  span: 'spoiler',
};
const NAMED = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
const [LT, GT, SLASH, AMP, EQ, HASH, SEMI] = [0x3c, 0x3e, 0x2f, 0x26, 0x3d, 0x23, 0x3b];

class HtmlParseError extends Error {}

const isSpace = (c) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0
  || c === 0x0b || c === 0x0c;
const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isAlpha = (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isHex = (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const asciiLower = (s) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
const fail = (msg) => { throw new HtmlParseError(msg); };

function pushCodePoint(bytes, code) {
  for (const b of Buffer.from(String.fromCodePoint(code), 'utf8')) bytes.push(b);
}

/** One parse of one string; `i` is the byte cursor, shared by the small methods below. */
class Parser {
  constructor(input) {
    this.src = Buffer.from(input, 'utf8');
    this.i = 0;
    this.out = [];
    this.utf16 = 0;
    this.stack = [];
    this.entities = [];
    this.surrogate = false;
  }

  /** Byte at position, 0 past the end (TDLib relies on the C string terminator). */
  at(pos) {
    return pos < this.src.length ? this.src[pos] : 0;
  }

  slice(from, to) {
    return this.src.toString('utf8', from, to);
  }

  skipSpaces() {
    while (this.at(this.i) !== 0 && isSpace(this.at(this.i))) this.i += 1;
  }

  /** Decode "&...;" at pos into {code, end}; null when it is not an entity Telegram knows. */
  decodeEntity(pos) {
    let end = pos + 1;
    let code = 0;
    if (this.at(pos + 1) === HASH) {
      end += 1;
      const hex = this.at(pos + 2) === 0x78;
      if (hex) end += 1;
      while (hex ? isHex(this.at(end)) : isDigit(this.at(end))) {
        code = code * (hex ? 16 : 10) + parseInt(String.fromCharCode(this.at(end)), 16);
        end += 1;
      }
      if (code === 0 || code >= 0x10ffff || end - pos >= 10) return null;
    } else {
      while (isAlpha(this.at(end))) end += 1;
      code = NAMED[this.src.toString('latin1', pos + 1, end)];
      if (!code) return null;
    }
    if (this.at(end) === SEMI) end += 1;
    return { code, end };
  }

  run() {
    for (; this.i < this.src.length; this.i += 1) {
      const c = this.src[this.i];
      const entity = c === AMP ? this.decodeEntity(this.i) : null;
      if (entity) {
        this.utf16 += entity.code > 0xffff ? 2 : 1;
        this.surrogate ||= entity.code >= 0xd800 && entity.code <= 0xdfff;
        pushCodePoint(this.out, entity.code);
        this.i = entity.end - 1;
      } else if (c !== LT) {
        if ((c & 0xc0) !== 0x80) this.utf16 += c >= 0xf0 ? 2 : 1;
        this.out.push(c);
      } else if (this.at(this.i + 1) !== SLASH) {
        this.startTag();
      } else {
        this.endTag();
      }
    }
    if (this.stack.length) {
      fail(`Can't find end tag corresponding to start tag "${this.stack.at(-1).tag}"`);
    }
    if (this.surrogate) {
      fail('Text contains invalid Unicode characters after decoding HTML entities, check for'
        + ' unmatched surrogate code units');
    }
    for (const e of this.entities) delete e.pendingLanguage;
    return { text: Buffer.from(this.out).toString('utf8'), entities: sortEntities(this.entities) };
  }

  startTag() {
    const begin = this.i;
    this.i += 1;
    while (!isSpace(this.at(this.i)) && this.at(this.i) !== GT) this.i += 1;
    if (this.at(this.i) === 0) fail(`Unclosed start tag at byte offset ${begin}`);
    const tag = asciiLower(this.slice(begin + 1, this.i));
    if (!TAGS.has(tag)) fail(`Unsupported start tag "${tag}" at byte offset ${begin}`);
    const argument = this.attributes(tag, begin);
    if (tag === 'span' && argument !== 'spoiler') {
      fail(`Tag "span" must have class "tg-spoiler" at byte offset ${begin}`);
    }
    this.stack.push({ tag, argument, offset: this.utf16, byte: this.out.length });
  }

  /** Read attributes up to '>' and return the one argument this tag uses. */
  attributes(tag, begin) {
    let argument = '';
    while (this.at(this.i) !== GT) {
      this.skipSpaces();
      if (this.at(this.i) === GT) break;
      const nameBegin = this.i;
      while (!isSpace(this.at(this.i)) && this.at(this.i) !== EQ && this.at(this.i) !== GT) {
        this.i += 1;
      }
      const name = this.slice(nameBegin, this.i);
      if (!name) fail(`Empty attribute name in the tag "${tag}" at byte offset ${begin}`);
      this.skipSpaces();
      if (this.at(this.i) !== EQ) {
        if (tag === 'blockquote' && this.at(this.i) !== 0) { // <blockquote expandable>
          if (name === 'expandable') argument = 'expandable';
          continue;
        }
        fail('Expected equal sign in declaration of an attribute of the tag'
          + ` "${tag}" at byte offset ${begin}`);
      }
      this.i += 1;
      this.skipSpaces();
      if (this.at(this.i) === 0) fail(`Unclosed start tag "${tag}" at byte offset ${begin}`);
      const value = this.attributeValue();
      if (this.at(this.i) === 0) fail(`Unclosed start tag at byte offset ${begin}`);
      if (tag === 'a' && name === 'href') argument = value;
      else if (tag === 'code' && name === 'class' && value.startsWith('language-')) argument = value.slice(9);
      else if (tag === 'span' && name === 'class' && value.startsWith('tg-')) argument = value.slice(3);
      else if (tag === 'tg-emoji' && name === 'emoji-id') argument = value;
      else if (tag === 'blockquote' && name === 'expandable') argument = 'expandable';
    }
    return argument;
  }

  attributeValue() {
    const quote = this.at(this.i);
    if (quote !== 0x27 && quote !== 0x22) { // a bare name token, case-insensitive
      const begin = this.i;
      while (isAlpha(this.at(this.i)) || isDigit(this.at(this.i)) || this.at(this.i) === 0x2e
        || this.at(this.i) === 0x2d) this.i += 1;
      if (!isSpace(this.at(this.i)) && this.at(this.i) !== GT) {
        fail(`Unexpected end of name token at byte offset ${begin}`);
      }
      return asciiLower(this.slice(begin, this.i));
    }
    this.i += 1;
    const bytes = [];
    while (this.at(this.i) !== quote && this.at(this.i) !== 0) {
      const entity = this.at(this.i) === AMP ? this.decodeEntity(this.i) : null;
      if (entity) {
        pushCodePoint(bytes, entity.code);
        this.i = entity.end;
      } else {
        bytes.push(this.src[this.i]);
        this.i += 1;
      }
    }
    if (this.at(this.i) === quote) this.i += 1;
    return Buffer.from(bytes).toString('utf8');
  }

  endTag() {
    const begin = this.i;
    this.i += 1;
    if (this.stack.length === 0) fail(`Unexpected end tag at byte offset ${begin}`);
    while (!isSpace(this.at(this.i)) && this.at(this.i) !== GT) this.i += 1;
    const name = asciiLower(this.slice(begin + 2, this.i));
    while (isSpace(this.at(this.i)) && this.at(this.i) !== 0) this.i += 1;
    if (this.at(this.i) !== GT) fail(`Unclosed end tag at byte offset ${begin}`);
    const open = this.stack.at(-1);
    if (name && name !== open.tag) {
      fail(`Unmatched end tag at byte offset ${begin}, expected "</${open.tag}>", found "</${name}>"`);
    }
    if (this.utf16 > open.offset) this.closeEntity(open, this.utf16 - open.offset);
    this.stack.pop();
  }

  closeEntity({ tag, argument, offset, byte }, length) {
    const last = this.entities.at(-1);
    const sameSpan = last && last.offset === offset && last.length === length;
    const push = (entity) => this.entities.push({ offset, length, ...entity });
    if (SIMPLE[tag]) {
      push({ type: SIMPLE[tag] });
    } else if (tag === 'tg-emoji') {
      if (!/^\d{1,19}$/.test(argument) || BigInt(argument) === 0n || BigInt(argument) >= 2n ** 63n) {
        fail('Invalid custom emoji identifier specified');
      }
      push({ type: 'custom_emoji', custom_emoji_id: argument });
    } else if (tag === 'a') {
      const url = argument || Buffer.from(this.out.slice(byte)).toString('utf8');
      const userId = userIdFromLink(url);
      const link = checkedUrl(url);
      if (userId !== null) {
        push({ type: 'text_mention', user: { id: userId, is_bot: false, first_name: '' } });
      } else if (link) {
        push({ type: 'text_link', url: link });
      }
    } else if (tag === 'pre') {
      if (sameSpan && last.type === 'code' && last.pendingLanguage) {
        Object.assign(last, { type: 'pre', language: last.pendingLanguage });
      } else {
        push({ type: 'pre' });
      }
    } else if (tag === 'code') {
      if (sameSpan && last.type === 'pre' && !last.language && argument) last.language = argument;
      else push({ type: 'code', pendingLanguage: argument || undefined });
    } else if (tag === 'blockquote') {
      push({ type: argument ? 'expandable_blockquote' : 'blockquote' });
    }
  }
}

/** TDLib's ordering: by offset, then longer first, then by type priority. */
const PRIORITY = {
  blockquote: 0, expandable_blockquote: 0, pre: 11, code: 20, text_link: 49, text_mention: 49,
  bold: 90, italic: 91, underline: 92, strikethrough: 93, spoiler: 94, custom_emoji: 99,
};

function sortEntities(entities) {
  const priority = (e) => (e.type === 'pre' && e.language ? 10 : PRIORITY[e.type] ?? 50);
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length
    || priority(a) - priority(b));
}

/**
 * Parse Telegram HTML into {text, entities} (Bot API entity objects). Throws HtmlParseError
 * carrying TDLib's message; the Bot API prefixes it with "can't parse entities: ".
 */
function parseHtml(input) {
  return new Parser(input).run();
}

module.exports = { parseHtml, HtmlParseError, sortEntities };
