'use strict';

/*
 * answerInlineQuery validation: result count, ids, the fields each result type requires,
 * input_message_content text (parsed like a message) and the optional button.
 */
const { badRequest } = require('./errors');
const { checkReplyMarkup } = require('./markup');
const { formatText } = require('./text');

const MAX_RESULTS = 50;

/** Required fields per result type (Bot API "InlineQueryResult*"). */
const REQUIRED = {
  article: ['title', 'input_message_content'],
  photo: ['photo_url', 'thumbnail_url'],
  gif: ['gif_url', 'thumbnail_url'],
  mpeg4_gif: ['mpeg4_url', 'thumbnail_url'],
  video: ['video_url', 'mime_type', 'thumbnail_url', 'title'],
  audio: ['audio_url', 'title'],
  voice: ['voice_url', 'title'],
  document: ['title', 'document_url', 'mime_type'],
  location: ['latitude', 'longitude', 'title'],
  venue: ['latitude', 'longitude', 'title', 'address'],
  contact: ['phone_number', 'first_name'],
  game: ['game_short_name'],
  sticker: ['sticker_file_id'],
};
const CACHED = { photo: 'photo_file_id', gif: 'gif_file_id', mpeg4_gif: 'mpeg4_file_id',
  video: 'video_file_id', audio: 'audio_file_id', voice: 'voice_file_id',
  document: 'document_file_id' };

const resultError = (text) => badRequest(`can't parse inline query result: ${text}`);

function requiredFields(result) {
  const cachedField = CACHED[result.type];
  if (cachedField && result[cachedField] !== undefined) {
    return ['video', 'voice', 'document'].includes(result.type) ? [cachedField, 'title'] : [cachedField];
  }
  return REQUIRED[result.type];
}

function checkContent(content, maxLength) {
  if (!content || typeof content !== 'object') throw resultError('InputMessageContent must be an Object');
  if (content.message_text !== undefined) {
    formatText({
      text: content.message_text, parseMode: content.parse_mode, entities: content.entities,
      maxLength,
    });
    return;
  }
  const known = ['latitude', 'phone_number', 'title', 'description'].some((f) => content[f] !== undefined);
  if (!known) throw resultError('Can\'t find field "message_text"');
}

function checkResult(result, seen, maxLength) {
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    throw resultError('Inline query result must be an object');
  }
  if (result.type === undefined) throw resultError('Can\'t find field "type"');
  if (!REQUIRED[result.type]) throw resultError(`Unsupported inline query result type "${result.type}"`);
  if (result.id === undefined) throw resultError('Can\'t find field "id"');
  if (typeof result.id !== 'string') throw resultError('Field "id" must be of type String');
  const idBytes = Buffer.byteLength(result.id, 'utf8');
  if (idBytes < 1 || idBytes > 64) throw badRequest('RESULT_ID_INVALID');
  if (seen.has(result.id)) throw badRequest('RESULT_ID_DUPLICATE');
  seen.add(result.id);
  for (const field of requiredFields(result)) {
    if (result[field] === undefined) throw resultError(`Can't find field "${field}"`);
  }
  if (result.input_message_content !== undefined) checkContent(result.input_message_content, maxLength);
  if (result.reply_markup !== undefined) checkReplyMarkup(result.reply_markup, { inlineOnly: true });
}

function checkButton(button) {
  if (button === undefined) return;
  if (!button || typeof button !== 'object' || typeof button.text !== 'string') {
    throw badRequest("can't parse InlineQueryResultsButton: Field \"text\" must be of type String");
  }
  if (button.web_app !== undefined) return;
  const start = button.start_parameter;
  if (start === undefined || start === '') throw badRequest("can't use empty start_parameter");
  if (String(start).length > 64) throw badRequest('too long start_parameter specified');
  if (!/^[A-Za-z0-9_-]+$/.test(start)) throw badRequest('unallowed characters in start_parameter are used');
}

/** Validate answerInlineQuery parameters; returns the answer as stored for the control API. */
function checkInlineAnswer(params, maxLength) {
  const { results } = params;
  if (results === undefined) throw badRequest('parameter "results" is required');
  if (!Array.isArray(results)) {
    throw badRequest("can't parse JSON encoded inline query results: Expected an Array");
  }
  if (results.length > MAX_RESULTS) throw badRequest('RESULTS_TOO_MUCH');
  const seen = new Set();
  for (const result of results) checkResult(result, seen, maxLength);
  const nextOffset = params.next_offset === undefined ? '' : String(params.next_offset);
  if (Buffer.byteLength(nextOffset, 'utf8') > 64) throw badRequest('NEXT_OFFSET_INVALID');
  checkButton(params.button);
  return {
    results,
    next_offset: nextOffset,
    cache_time: params.cache_time ?? 300,
    is_personal: Boolean(params.is_personal),
    button: params.button ?? null,
  };
}

module.exports = { checkInlineAnswer };
