'use strict';

/*
 * Methods that create or change messages: sendMessage, editMessageText,
 * editMessageReplyMarkup, deleteMessage, plus sendChatAction, getChat and leaveChat.
 */
const { badRequest, TEXT } = require('../errors');
const { checkReplyMarkup } = require('../markup');
const { embedded } = require('../store');
const { formatText } = require('../text');

const now = () => Math.floor(Date.now() / 1000);
const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

function textOf(state, params) {
  return formatText({
    text: params.text, parseMode: params.parse_mode, entities: params.entities,
    maxLength: state.config.maxTextLength, users: state.store.users,
  });
}

/** link_preview_options as Telegram echoes them (the deprecated flag maps onto them). */
function linkPreview(params) {
  if (params.link_preview_options) return params.link_preview_options;
  if (params.disable_web_page_preview) return { is_disabled: true };
  return undefined;
}

/** The message being replied to, from reply_parameters or the older reply_to_message_id. */
function replyTarget(state, rec, params) {
  const reply = params.reply_parameters
    || (params.reply_to_message_id ? { message_id: params.reply_to_message_id } : null);
  if (!reply) return null;
  const allowMissing = reply.allow_sending_without_reply ?? params.allow_sending_without_reply;
  const target = reply.chat_id !== undefined ? state.store.resolve(reply.chat_id) : rec;
  const stored = target === rec ? state.store.findMessage(rec, reply.message_id) : undefined;
  if (!stored && !allowMissing) throw badRequest(TEXT.replyNotFound);
  return stored || null;
}

function sendMessage({ state, params }) {
  const rec = state.store.resolve(params.chat_id);
  state.store.ensureCanSend(rec);
  const { text, entities } = textOf(state, params);
  const markup = checkReplyMarkup(params.reply_markup);
  const replyTo = replyTarget(state, rec, params);
  state.limiter.consume(rec.chat);

  const stored = state.store.addMessage(rec, (messageId) => {
    const message = {
      message_id: messageId, from: state.botUser, chat: rec.chat, date: now(), text,
    };
    if (params.message_thread_id) message.message_thread_id = params.message_thread_id;
    if (replyTo) message.reply_to_message = embedded(replyTo.message);
    if (entities.length) message.entities = entities;
    const preview = linkPreview(params);
    if (preview) message.link_preview_options = preview;
    if (params.protect_content) message.has_protected_content = true;
    if (markup.inline) message.reply_markup = markup.inline;
    return message;
  });
  stored.meta = {
    disable_notification: Boolean(params.disable_notification),
    reply_keyboard: markup.other || null,
  };
  state.changed();
  return stored.message;
}

/** Find the message an edit targets: a chat message of the bot or an inline message. */
function editTarget(state, params) {
  if (params.inline_message_id !== undefined) {
    const inline = state.inlineMessages.get(String(params.inline_message_id));
    if (!inline) throw badRequest('MESSAGE_ID_INVALID');
    return { inline };
  }
  const rec = state.store.resolve(params.chat_id);
  if (params.message_id === undefined) throw badRequest('message identifier is not specified');
  const stored = state.store.findMessage(rec, params.message_id);
  if (!stored) throw badRequest(TEXT.editNotFound);
  if (!stored.message.from || stored.message.from.id !== state.botUser.id) {
    throw badRequest(TEXT.cantEdit);
  }
  return { rec, stored };
}

/** Deterministic JSON for "is this edit a no-op" comparisons. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Fields Telegram compares when it refuses an edit as "not modified". */
const COMPARED = ['text', 'entities', 'reply_markup'];

/** Apply an edit to a chat or inline message, refusing no-op edits like Telegram. */
function applyEdit(state, target, changes) {
  const current = target.inline || target.stored.message;
  const same = COMPARED.filter((key) => key in changes)
    .every((key) => canonical(changes[key]) === canonical(current[key]));
  if (same) throw badRequest(TEXT.notModified);
  if (target.rec) state.limiter.consume(target.rec.chat);
  if (target.inline) {
    Object.assign(target.inline, changes, { edit_count: target.inline.edit_count + 1 });
    state.changed();
    return true;
  }
  const edited = state.store.edit(target.stored, changes);
  state.changed();
  return edited;
}

function editMessageText({ state, params }) {
  const target = editTarget(state, params);
  const { text, entities } = textOf(state, params);
  const markup = checkReplyMarkup(params.reply_markup, { inlineOnly: true });
  return applyEdit(state, target, {
    text,
    entities: entities.length ? entities : undefined,
    // An edit without reply_markup removes the inline keyboard, as in Telegram.
    reply_markup: markup.inline,
    link_preview_options: linkPreview(params),
  });
}

function editMessageReplyMarkup({ state, params }) {
  const target = editTarget(state, params);
  const markup = checkReplyMarkup(params.reply_markup, { inlineOnly: true });
  return applyEdit(state, target, { reply_markup: markup.inline });
}

function deleteMessage({ state, params }) {
  const rec = state.store.resolve(params.chat_id);
  const stored = state.store.findMessage(rec, params.message_id);
  if (!stored) throw badRequest(TEXT.deleteNotFound);
  const own = stored.message.from && stored.message.from.id === state.botUser.id;
  if (!own && rec.chat.type !== 'private' && !rec.botIsAdmin) throw badRequest(TEXT.cantDelete);
  stored.deleted = true;
  state.changed();
  return true;
}

function sendChatAction({ state, params }) {
  const rec = state.store.resolve(params.chat_id);
  state.store.ensureCanSend(rec);
  if (!CHAT_ACTIONS.has(params.action)) throw badRequest('wrong parameter action in request');
  rec.actions.push({ action: params.action, time: Date.now() / 1000 });
  state.changed();
  return true;
}

function getChat({ state, params }) {
  const rec = state.store.resolve(params.chat_id);
  return {
    ...rec.chat,
    accent_color_id: 0,
    max_reaction_count: 11,
    accepted_gift_types: {
      unlimited_gifts: false, limited_gifts: false, unique_gifts: false,
      premium_subscription: false, gifts_from_channels: false,
    },
  };
}

function leaveChat({ state, params }) {
  const rec = state.store.resolve(params.chat_id);
  if (rec.chat.type === 'private') {
    throw badRequest("chat member status can't be changed in private chats");
  }
  rec.member = false;
  state.changed();
  return true;
}

module.exports = {
  sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage, sendChatAction,
  getChat, leaveChat,
};
