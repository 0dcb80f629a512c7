'use strict';

/*
 * Turns the text parameters of a Bot API call into what Telegram stores: plain text plus
 * entities. Order follows the Bot API: parse (parse_mode or explicit entities), trim the
 * surrounding whitespace, detect automatic entities, then check "empty" and "too long" on the
 * result, so the 4096 limit counts visible UTF-16 code units, not markup.
 */
const { addDetectedEntities } = require('./autoentities');
const { badRequest, TEXT } = require('./errors');
const { parseHtml, HtmlParseError, sortEntities } = require('./html');

const ENTITY_TYPES = new Set([
  'mention', 'hashtag', 'cashtag', 'bot_command', 'url', 'email', 'phone_number', 'bold',
  'italic', 'underline', 'strikethrough', 'spoiler', 'blockquote', 'expandable_blockquote',
  'code', 'pre', 'text_link', 'text_mention', 'custom_emoji',
]);

/** Validate an explicit `entities` array the way the Bot API does. */
function explicitEntities(text, entities) {
  if (!Array.isArray(entities)) throw badRequest("can't parse entities JSON object");
  return entities.map((raw) => {
    if (!raw || typeof raw !== 'object') throw badRequest("can't parse MessageEntity: Object expected");
    const { type, offset, length } = raw;
    if (!ENTITY_TYPES.has(type)) throw badRequest(`can't parse MessageEntity: Unsupported type "${type}"`);
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
      throw badRequest(`can't parse MessageEntity: wrong offset or length`);
    }
    if (offset + length > text.length) {
      throw badRequest(`entity beginning at UTF-16 offset ${offset} ends after the end of the`
        + ` text at UTF-16 offset ${text.length}`);
    }
    const entity = { offset, length, type };
    if (type === 'text_link') entity.url = raw.url;
    if (type === 'pre' && raw.language) entity.language = raw.language;
    if (type === 'text_mention') entity.user = raw.user;
    if (type === 'custom_emoji') entity.custom_emoji_id = String(raw.custom_emoji_id);
    return entity;
  }).filter((e) => e.length > 0);
}

function parseFormatted(text, parseMode, entities) {
  if (entities !== undefined) return { text, entities: explicitEntities(text, entities) };
  const mode = String(parseMode || '').toLowerCase();
  if (mode === '') return { text, entities: [] };
  if (mode === 'html') {
    try {
      return parseHtml(text);
    } catch (err) {
      if (err instanceof HtmlParseError) throw badRequest(`can't parse entities: ${err.message}`);
      throw err;
    }
  }
  if (mode === 'markdown' || mode === 'markdownv2') {
    throw badRequest(`parse_mode ${parseMode} is not implemented by the test server; use HTML`);
  }
  throw badRequest('unsupported parse_mode');
}

/** Strip leading/trailing whitespace as Telegram does, moving and clipping entities. */
function trim(text, entities) {
  const lead = text.length - text.replace(/^[\s\u200b]+/u, '').length;
  const kept = text.replace(/^[\s\u200b]+/u, '').replace(/[\s\u200b]+$/u, '');
  const moved = entities.map((e) => {
    const start = Math.max(e.offset - lead, 0);
    const end = Math.min(e.offset + e.length - lead, kept.length);
    return { ...e, offset: start, length: end - start };
  }).filter((e) => e.length > 0);
  return { text: kept, entities: moved };
}

/**
 * Build {text, entities} from text, parse_mode and entities parameters.
 * `users` resolves text_mention users; `maxLength` is 4096 for messages.
 */
function formatText({ text, parseMode, entities, maxLength, users }) {
  if (text === undefined || text === null || text === '') throw badRequest(TEXT.textEmpty);
  const parsed = parseFormatted(String(text), parseMode, entities);
  const trimmed = trim(parsed.text, parsed.entities);
  if (trimmed.text === '') throw badRequest(TEXT.textEmpty);
  if (trimmed.text.length > maxLength) throw badRequest(TEXT.tooLong);
  for (const e of trimmed.entities) {
    if (e.type === 'text_mention' && users) e.user = users.get(e.user.id) || e.user;
  }
  return {
    text: trimmed.text,
    entities: sortEntities(addDetectedEntities(trimmed.text, trimmed.entities)),
  };
}

/** Entities for text typed by a user in a client (no markup, only detection). */
function userText(text) {
  return { text, entities: sortEntities(addDetectedEntities(text, [])) };
}

module.exports = { formatText, userText };
