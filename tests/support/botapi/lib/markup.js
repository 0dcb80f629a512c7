'use strict';

/*
 * reply_markup validation. Inline keyboards are checked the way Telegram checks them
 * (callback_data of 1-64 bytes, exactly one action per button, a usable URL); reply keyboards
 * and the remove/force-reply markups are accepted but, as in Telegram, never echoed back in
 * the Message.
 */
const { badRequest, TEXT } = require('./errors');
const { checkedUrl } = require('./links');

const ACTIONS = [
  'url', 'callback_data', 'web_app', 'login_url', 'switch_inline_query',
  'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat', 'copy_text',
  'callback_game', 'pay',
];
const MAX_BUTTONS = 100;

function checkButton(button) {
  if (!button || typeof button !== 'object') {
    throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  }
  if (typeof button.text !== 'string') {
    throw badRequest(`can't parse inline keyboard button: Field "text" must be of type String`);
  }
  const actions = ACTIONS.filter((name) => button[name] !== undefined);
  if (actions.length === 0) {
    throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  }
  if (button.callback_data !== undefined) {
    const bytes = Buffer.byteLength(String(button.callback_data), 'utf8');
    if (bytes < 1 || bytes > 64) throw badRequest(TEXT.buttonData);
  }
  if (button.url !== undefined && !checkedUrl(button.url)) {
    throw badRequest(`inline keyboard button URL '${button.url}' is invalid: Wrong HTTP URL`);
  }
}

function checkInlineKeyboard(markup) {
  const rows = markup.inline_keyboard;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  }
  rows.flat().forEach(checkButton);
  if (rows.flat().length > MAX_BUTTONS) throw badRequest('reply markup is too long');
}

/**
 * Validate reply_markup. Returns {inline, other}: the inline keyboard that belongs in the
 * Message, and any reply-keyboard style markup (kept for the control API only).
 */
function checkReplyMarkup(markup, { inlineOnly = false } = {}) {
  if (markup === undefined || markup === null || markup === '') return { inline: undefined };
  if (typeof markup !== 'object' || Array.isArray(markup)) {
    throw badRequest('object expected as reply markup');
  }
  if (markup.inline_keyboard !== undefined) {
    checkInlineKeyboard(markup);
    return { inline: { inline_keyboard: markup.inline_keyboard } };
  }
  if (inlineOnly) throw badRequest(TEXT.inlineKeyboardExpected);
  if (markup.keyboard !== undefined || markup.remove_keyboard || markup.force_reply) {
    return { inline: undefined, other: markup };
  }
  throw badRequest("can't find field \"inline_keyboard\"");
}

/** All callback_data values of an inline keyboard, to check that a pressed button exists. */
function callbackDataOf(markup) {
  if (!markup || !Array.isArray(markup.inline_keyboard)) return [];
  return markup.inline_keyboard.flat()
    .filter((b) => b && b.callback_data !== undefined)
    .map((b) => String(b.callback_data));
}

module.exports = { checkReplyMarkup, callbackDataOf };
