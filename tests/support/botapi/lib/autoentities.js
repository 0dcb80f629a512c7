'use strict';

/*
 * Entities Telegram finds by itself in message text: bot commands, mentions, hashtags,
 * cashtags, URLs and e-mail addresses. Commands, mentions, hashtags and cashtags follow
 * TDLib's matchers (match_bot_commands, match_mentions, ...); URLs and e-mails use simpler
 * patterns that cover explicit links (scheme:// or www.), not every bare domain TDLib finds.
 * Offsets and lengths are UTF-16 code units, which is what JavaScript string indices count.
 */
const WORD = /[\p{L}\p{N}_]/u;
const HASHTAG_CLASS = '[\\p{L}\\p{Nd}_\\u200c\\u00b7\\u0d80-\\u0dff]';
const HASHTAG_CHAR = new RegExp(HASHTAG_CLASS, 'u');
// TDLib: '(?<=^|[^\d_\pL\x{200c}\x{0d80}-\x{0dff}])#([\d_\pL...]{1,256})(?![\d_\pL...]*#)'
const HASHTAG = new RegExp(
  `(?<!${HASHTAG_CLASS})#(${HASHTAG_CLASS}{1,256})(?!${HASHTAG_CLASS}*#)`, 'gu',
);
const ALNUM_ = /[A-Za-z0-9_]/;

/** The code point ending just before index i (handles surrogate pairs). */
function charBefore(text, i) {
  if (i <= 0) return '';
  const low = text.charCodeAt(i - 1);
  if (i >= 2 && low >= 0xdc00 && low <= 0xdfff) return text.slice(i - 2, i);
  return text[i - 1];
}

function charAt(text, i) {
  return i < text.length ? String.fromCodePoint(text.codePointAt(i)) : '';
}

function runOf(text, from, re) {
  let end = from;
  while (end < text.length && re.test(text[end])) end += 1;
  return end;
}

function botCommands(text) {
  const found = [];
  for (let i = text.indexOf('/'); i !== -1; i = text.indexOf('/', i + 1)) {
    const prev = charBefore(text, i);
    if (prev && (WORD.test(prev) || '/<>'.includes(prev))) continue;
    let end = runOf(text, i + 1, ALNUM_);
    const size = end - i - 1;
    if (size < 1 || size > 64) continue;
    if (text[end] === '@') {
      const userEnd = runOf(text, end + 1, ALNUM_);
      const userSize = userEnd - end - 1;
      if (userSize < 3 || userSize > 32) continue;
      end = userEnd;
    }
    const next = charAt(text, end);
    if (next && (WORD.test(next) || '/<>'.includes(next))) continue;
    found.push({ offset: i, length: end - i, type: 'bot_command' });
  }
  return found;
}

function mentions(text) {
  const found = [];
  for (let i = text.indexOf('@'); i !== -1; i = text.indexOf('@', i + 1)) {
    const prev = charBefore(text, i);
    if (prev && WORD.test(prev)) continue;
    const end = runOf(text, i + 1, ALNUM_);
    const size = end - i - 1;
    if (size < 2 || size > 32) continue;
    const next = charAt(text, end);
    if (next && WORD.test(next)) continue;
    found.push({ offset: i, length: end - i, type: 'mention' });
  }
  return found;
}

function hashtags(text) {
  const found = [];
  for (const m of text.matchAll(HASHTAG)) {
    if (/\p{L}/u.test(m[1])) found.push({ offset: m.index, length: m[0].length, type: 'hashtag' });
  }
  return found;
}

function cashtags(text) {
  const found = [];
  for (const m of text.matchAll(/\$(1INCH|[A-Z]{1,8})/g)) {
    const prev = charBefore(text, m.index);
    const next = charAt(text, m.index + m[0].length);
    if ((prev && (HASHTAG_CHAR.test(prev) || prev === '$'))
      || (next && (HASHTAG_CHAR.test(next) || next === '$'))) continue;
    found.push({ offset: m.index, length: m[0].length, type: 'cashtag' });
  }
  return found;
}

function urlsAndEmails(text) {
  const found = [];
  const url = /\b(?:(?:https?|ftp):\/\/|www\.)[^\s<>"]+/giu;
  for (const m of text.matchAll(url)) {
    const value = m[0].replace(/[.,;:!?'")\]]+$/u, '');
    found.push({ offset: m.index, length: value.length, type: 'url' });
  }
  const email = /(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/gu;
  for (const m of text.matchAll(email)) found.push({ offset: m.index, length: m[0].length, type: 'email' });
  return found;
}

const overlaps = (a, b) => a.offset < b.offset + b.length && b.offset < a.offset + a.length;

/** Types inside which Telegram does not look for further entities. */
const OPAQUE = new Set([
  'code', 'pre', 'text_link', 'text_mention', 'custom_emoji', 'url', 'email', 'mention',
  'bot_command', 'hashtag', 'cashtag',
]);

/** Add the entities Telegram would detect to `entities`, without crossing opaque ones. */
function addDetectedEntities(text, entities) {
  const detected = [
    ...urlsAndEmails(text), ...botCommands(text), ...mentions(text), ...hashtags(text),
    ...cashtags(text),
  ];
  const result = [...entities];
  for (const candidate of detected) {
    if (!result.some((e) => OPAQUE.has(e.type) && overlaps(e, candidate))) result.push(candidate);
  }
  return result;
}

module.exports = { addDetectedEntities };
