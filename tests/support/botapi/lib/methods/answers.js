'use strict';

/** answerCallbackQuery and answerInlineQuery: validated, stored for the control API. */
const { badRequest } = require('../errors');
const { checkInlineAnswer } = require('../inline');

function answerCallbackQuery({ state, params }) {
  if (params.text !== undefined && String(params.text).length > 200) {
    throw badRequest('MESSAGE_TOO_LONG');
  }
  state.queries.answer(params.callback_query_id, 'callback', {
    text: params.text ?? null,
    show_alert: Boolean(params.show_alert),
    url: params.url ?? null,
    cache_time: params.cache_time ?? 0,
  });
  state.changed();
  return true;
}

function answerInlineQuery({ state, params }) {
  const answer = checkInlineAnswer(params, state.config.maxTextLength);
  state.queries.answer(params.inline_query_id, 'inline', answer);
  state.changed();
  return true;
}

module.exports = { answerCallbackQuery, answerInlineQuery };
