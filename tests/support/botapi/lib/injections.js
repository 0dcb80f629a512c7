'use strict';

/*
 * What users do, turned into updates: send or edit a message, send a document, post in a
 * channel, press an inline button, type an inline query, pick an inline result. Messages get per-chat ids and
 * the entities a Telegram client would produce; in groups the bot's privacy mode decides
 * whether the update is delivered at all, as in Telegram.
 */
const { ControlError } = require('./errors');
const { callbackDataOf } = require('./markup');
const { embedded } = require('./store');
const { formatText, userText } = require('./text');

const now = () => Math.floor(Date.now() / 1000);
const INLINE_CHAT_TYPES = new Set(['sender', 'private', 'group', 'supergroup', 'channel']);
let inlineMessageSeq = 0;

function requireText(text, max = 4096) {
  if (typeof text !== 'string' || text === '') throw new ControlError('text must be a non-empty string');
  if (text.length > max) throw new ControlError(`text is longer than ${max} UTF-16 code units`);
  return text;
}

/** The acting user: {user: {...}} or {user_id, first_name, username}. */
function actingUser(state, body) {
  const fields = body.user || {
    id: body.user_id, first_name: body.first_name, username: body.username,
  };
  if (!Number.isInteger(fields.id) || fields.id <= 0) {
    throw new ControlError('user id must be a positive integer');
  }
  return state.store.upsertUser(fields);
}

/** The chat a user writes in: their private chat unless a group chat is described. */
function userChat(state, body, user) {
  const chat = body.chat || { id: body.chat_id, type: body.chat_type, title: body.chat_title };
  const type = chat.type || 'private';
  if (type === 'private') {
    const id = chat.id ?? user.id;
    if (id !== user.id) throw new ControlError('a private chat has the id of its user');
    return state.store.upsertChat({ id, type, user });
  }
  if (type === 'channel') throw new ControlError('users do not write in channels; use channel_post');
  if (!Number.isInteger(chat.id) || chat.id >= 0) {
    throw new ControlError(`a ${type} needs a negative integer chat id`);
  }
  return state.store.upsertChat({ id: chat.id, type, title: chat.title, username: chat.username });
}

function existingChat(state, chatId) {
  const rec = state.store.get(chatId);
  if (!rec) throw new ControlError(`unknown chat ${chatId}`, 404);
  return rec;
}

function existingMessage(state, rec, messageId) {
  const stored = state.store.findMessage(rec, messageId);
  if (!stored) throw new ControlError(`no message ${messageId} in chat ${rec.chat.id}`, 404);
  return stored;
}

/** Privacy mode: which group messages Telegram hands to a bot that may not read them all. */
function privacyVerdict(state, rec, message) {
  const group = rec.chat.type === 'group' || rec.chat.type === 'supergroup';
  if (!group || !state.config.privacyMode || rec.botIsAdmin) return { deliver: true };
  const me = state.botUser.username.toLowerCase();
  const text = message.text || message.caption || '';
  for (const e of message.entities || message.caption_entities || []) {
    const part = text.substr(e.offset, e.length).toLowerCase();
    const addressee = part.includes('@') ? part.slice(part.indexOf('@') + 1) : null;
    if (e.type === 'bot_command' && (addressee === null || addressee === me)) return { deliver: true };
    if (e.type === 'mention' && addressee === me) return { deliver: true };
  }
  const reply = message.reply_to_message;
  if (reply && reply.from && reply.from.id === state.botUser.id) return { deliver: true };
  if (message.via_bot && message.via_bot.id === state.botUser.id) return { deliver: true };
  return {
    deliver: false,
    reason: 'privacy mode: in groups the bot only gets commands, mentions of it, replies to it'
      + ' and messages sent via it',
  };
}

function pushMessageUpdate(state, type, rec, message) {
  const out = state.updates.push(type, message, privacyVerdict(state, rec, message));
  state.changed();
  return out;
}

function userMessage(state, body) {
  const user = actingUser(state, body);
  const rec = userChat(state, body, user);
  const text = requireText(body.text);
  const replyTo = body.reply_to_message_id ? existingMessage(state, rec, body.reply_to_message_id) : null;
  const stored = state.store.addMessage(rec, (messageId) => {
    const message = { message_id: messageId, from: user, chat: rec.chat, date: now() };
    if (replyTo) message.reply_to_message = embedded(replyTo.message);
    if (body.via_bot) message.via_bot = state.botUser;
    if (body.forward) {
      message.forward_origin = {
        type: 'hidden_user', sender_user_name: body.forward_from_name || 'Someone', date: now() - 60,
      };
    }
    const formatted = body.entities ? { text, entities: body.entities } : userText(text);
    message.text = formatted.text;
    if (formatted.entities.length) message.entities = formatted.entities;
    return message;
  });
  return pushMessageUpdate(state, 'message', rec, stored.message);
}

/**
 * A user sends a file: {user..., chat..., document: {file_name, mime_type, content_base64,
 * file_size?, file_id?}, caption?}. The bytes stay on the server for getFile and download.
 */
function userDocument(state, body) {
  const user = actingUser(state, body);
  const rec = userChat(state, body, user);
  const doc = body.document || {};
  if (typeof doc.content_base64 !== 'string') {
    throw new ControlError('document.content_base64 must be the file content in base64');
  }
  const content = Buffer.from(doc.content_base64, 'base64');
  if (doc.file_size !== undefined && !(Number.isInteger(doc.file_size) && doc.file_size >= 0)) {
    throw new ControlError('document.file_size must be a non-negative integer');
  }
  const document = state.files.add({
    content, fileName: doc.file_name, mimeType: doc.mime_type, fileSize: doc.file_size,
    fileId: doc.file_id,
  });
  const stored = state.store.addMessage(rec, (messageId) => {
    const message = { message_id: messageId, from: user, chat: rec.chat, date: now(), document };
    if (body.caption) {
      const formatted = userText(requireText(body.caption, 1024));
      message.caption = formatted.text;
      if (formatted.entities.length) message.caption_entities = formatted.entities;
    }
    return message;
  });
  return pushMessageUpdate(state, 'message', rec, stored.message);
}

function editedMessage(state, body) {
  const rec = existingChat(state, body.chat_id);
  const stored = existingMessage(state, rec, body.message_id);
  if (!stored.message.from || stored.message.from.id !== body.user_id) {
    throw new ControlError(`message ${body.message_id} was not sent by user ${body.user_id}`);
  }
  const { text, entities } = userText(requireText(body.text));
  const message = state.store.edit(stored, { text, entities: entities.length ? entities : undefined });
  return pushMessageUpdate(state, 'edited_message', rec, message);
}

function channelPost(state, body) {
  if (!Number.isInteger(body.chat_id) || body.chat_id >= 0) {
    throw new ControlError('a channel needs a negative integer chat id');
  }
  const rec = state.store.upsertChat({
    id: body.chat_id, type: 'channel', title: body.title, username: body.username,
  });
  const { text, entities } = userText(requireText(body.text));
  const stored = state.store.addMessage(rec, (messageId) => {
    const message = { message_id: messageId, sender_chat: rec.chat, chat: rec.chat, date: now(), text };
    if (entities.length) message.entities = entities;
    return message;
  });
  const out = state.updates.push('channel_post', stored.message);
  state.changed();
  return out;
}

function callbackQuery(state, body) {
  const user = actingUser(state, body);
  const data = String(body.data ?? '');
  const query = { from: user, data };
  let markup;
  if (body.inline_message_id !== undefined) {
    const inline = state.inlineMessages.get(String(body.inline_message_id));
    if (!inline) throw new ControlError(`unknown inline message ${body.inline_message_id}`, 404);
    markup = inline.reply_markup;
    query.inline_message_id = inline.inline_message_id;
    query.chat_instance = inline.chat_instance;
  } else {
    const rec = existingChat(state, body.chat_id);
    const stored = existingMessage(state, rec, body.message_id);
    if (stored.message.from?.id !== state.botUser.id) {
      throw new ControlError(`message ${body.message_id} is not the bot's; only its buttons can be pressed`);
    }
    markup = stored.message.reply_markup;
    Object.assign(query, { message: stored.message, chat_instance: rec.instance });
  }
  if (!body.force && !callbackDataOf(markup).includes(data)) {
    throw new ControlError(`the message has no button with callback_data ${JSON.stringify(data)}`
      + ` (buttons: ${JSON.stringify(callbackDataOf(markup))}); pass force to press anyway`);
  }
  const id = state.queries.create('callback', query);
  const { from, ...rest } = query;
  const out = state.updates.push('callback_query', { id, from, ...rest });
  state.changed();
  return { id, ...out };
}

function inlineQuery(state, body) {
  const user = actingUser(state, body);
  const query = String(body.query ?? '');
  if (query.length > 256) throw new ControlError('inline queries are at most 256 characters');
  const chatType = body.chat_type ?? 'sender';
  if (chatType !== null && !INLINE_CHAT_TYPES.has(chatType)) {
    throw new ControlError(`bad chat_type ${chatType}`);
  }
  const payload = { from: user, query, offset: String(body.offset ?? '') };
  if (chatType !== null) payload.chat_type = chatType;
  const id = state.queries.create('inline', payload);
  const out = state.updates.push('inline_query', { id, ...payload });
  state.changed();
  return { id, ...out };
}

/** The user picks a result; an inline message exists from then on if it has a keyboard. */
function chosenInlineResult(state, body) {
  const user = actingUser(state, body);
  const resultId = String(body.result_id);
  const payload = { result_id: resultId, from: user, query: String(body.query ?? '') };
  const answered = body.inline_query_id ? state.queries.get(body.inline_query_id) : null;
  const result = answered?.answer?.results.find((r) => r.id === resultId);
  if (body.inline_query_id && !result) {
    throw new ControlError(`inline query ${body.inline_query_id} has no answered result ${resultId}`);
  }
  if (result && result.reply_markup) {
    inlineMessageSeq += 1;
    const id = Buffer.from(`inline-message:${inlineMessageSeq}`).toString('base64url');
    const content = result.input_message_content || {};
    const shown = content.message_text === undefined ? { text: null } : formatText({
      text: content.message_text, parseMode: content.parse_mode, entities: content.entities,
      maxLength: state.config.maxTextLength,
    });
    state.inlineMessages.set(id, {
      inline_message_id: id, ...shown, reply_markup: result.reply_markup,
      chat_instance: String(7000000000000000000n + BigInt(inlineMessageSeq)), edit_count: 0,
    });
    payload.inline_message_id = id;
  }
  const out = state.updates.push('chosen_inline_result', payload);
  state.changed();
  return out;
}

module.exports = {
  userMessage, userDocument, editedMessage, channelPost, callbackQuery, inlineQuery,
  chosenInlineResult,
};
