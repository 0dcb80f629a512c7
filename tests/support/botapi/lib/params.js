'use strict';

const { badRequest } = require('./errors');

/*
 * Bot API parameters arrive as a JSON body, a query string or form fields. PTB sends form
 * fields where every value is a string and objects are JSON-encoded, so decode each known
 * parameter once into the type the Bot API documents. Unknown parameters stay as given.
 */
const JSON_PARAMS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'reply_parameters', 'link_preview_options',
  'results', 'button', 'commands', 'scope', 'allowed_updates',
]);
const INT_PARAMS = new Set([
  'message_id', 'reply_to_message_id', 'offset', 'limit', 'timeout', 'cache_time',
  'message_thread_id', 'user_id', 'max_connections',
]);
const BOOL_PARAMS = new Set([
  'disable_notification', 'protect_content', 'allow_sending_without_reply',
  'disable_web_page_preview', 'show_alert', 'is_personal', 'drop_pending_updates',
  'allow_paid_broadcast', 'for_channels',
]);

/** Telegram's wording when a JSON-encoded parameter does not parse. */
function jsonError(name, err) {
  if (name === 'reply_markup') return badRequest("can't parse reply keyboard markup JSON object");
  if (name === 'results') {
    return badRequest(`can't parse JSON encoded inline query results: ${err.message}`);
  }
  return badRequest(`can't parse ${name} JSON object`);
}

function decodeValue(name, value) {
  if (typeof value !== 'string') return value;
  if (JSON_PARAMS.has(name)) {
    try {
      return JSON.parse(value);
    } catch (err) {
      throw jsonError(name, err);
    }
  }
  if (INT_PARAMS.has(name)) {
    if (!/^-?\d+$/.test(value.trim())) throw badRequest(`invalid ${name} specified`);
    return Number(value);
  }
  if (BOOL_PARAMS.has(name)) return value === 'true' || value === '1' || value === 'True';
  if (name === 'chat_id' && /^-?\d+$/.test(value.trim())) return Number(value);
  return value;
}

/** Merge query string and body (body wins, as in Telegram) and decode known parameters. */
function decodeParams(query, body) {
  const raw = { ...(query || {}), ...(body && typeof body === 'object' ? body : {}) };
  const params = {};
  for (const [name, value] of Object.entries(raw)) params[name] = decodeValue(name, value);
  return params;
}

module.exports = { decodeParams };
