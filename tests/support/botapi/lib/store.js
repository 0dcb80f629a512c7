'use strict';

/*
 * Users, chats and the messages in them. Every chat keeps its own message_id sequence,
 * shared by the user's and the bot's messages, and each message's current state plus its
 * earlier versions so tests can read what a user would see after edits.
 */
const crypto = require('crypto');
const { ControlError, badRequest, forbidden, TEXT } = require('./errors');

const CHAT_TYPES = new Set(['private', 'group', 'supergroup', 'channel']);

/** Telegram's chat_instance: an opaque, stable per-chat 64-bit number as a string. */
function chatInstance(chatId) {
  const digest = crypto.createHash('sha256').update(`chat:${chatId}`).digest();
  return digest.readBigInt64BE(0).toString();
}

class ChatStore {
  constructor() {
    this.users = new Map();
    this.chats = new Map();
  }

  upsertUser(fields) {
    const user = { id: fields.id, is_bot: false, ...(this.users.get(fields.id) || {}) };
    for (const key of ['id', 'is_bot', 'first_name', 'last_name', 'username', 'language_code']) {
      if (fields[key] !== undefined && fields[key] !== null) user[key] = fields[key];
    }
    if (!user.first_name) user.first_name = 'User';
    this.users.set(user.id, user);
    return user;
  }

  /** Create or update a chat record. `user` fills a private chat's names. */
  upsertChat({ id, type, title, username, user }) {
    if (!CHAT_TYPES.has(type)) throw new ControlError(`unknown chat type "${type}"`);
    const existing = this.chats.get(id);
    if (existing && existing.chat.type !== type) {
      throw new ControlError(`chat ${id} is a ${existing.chat.type}, not a ${type}`);
    }
    const rec = existing || {
      nextMessageId: 1, messages: new Map(), member: true, blocked: false,
      botIsAdmin: type === 'channel', actions: [], instance: chatInstance(id),
    };
    const chat = { id, type };
    if (type === 'private') {
      const u = user || {};
      chat.first_name = u.first_name || rec.chat?.first_name || 'User';
      if (u.last_name) chat.last_name = u.last_name;
      if (u.username) chat.username = u.username;
    } else {
      chat.title = title || rec.chat?.title || `Test ${type} ${id}`;
      if (username || rec.chat?.username) chat.username = username || rec.chat.username;
    }
    rec.chat = chat;
    this.chats.set(id, rec);
    return rec;
  }

  get(id) {
    return this.chats.get(Number(id));
  }

  /** The chat a Bot API chat_id names (number or "@username"); 400 like Telegram if unknown. */
  resolve(chatId) {
    if (chatId === undefined || chatId === null || chatId === '') throw badRequest(TEXT.chatIdEmpty);
    let rec;
    if (typeof chatId === 'string' && chatId.startsWith('@')) {
      const name = chatId.slice(1).toLowerCase();
      rec = [...this.chats.values()].find((r) => r.chat.type !== 'private'
        && (r.chat.username || '').toLowerCase() === name);
    } else {
      rec = this.chats.get(Number(chatId));
    }
    if (!rec) throw badRequest(TEXT.chatNotFound);
    return rec;
  }

  /** Telegram's refusals for a chat the bot cannot post to. */
  ensureCanSend(rec) {
    if (rec.chat.type === 'private' && rec.blocked) throw forbidden('bot was blocked by the user');
    if (rec.chat.type !== 'private' && !rec.member) {
      throw forbidden(`bot is not a member of the ${rec.chat.type} chat`);
    }
    if (rec.chat.type === 'channel' && !rec.botIsAdmin) {
      throw badRequest('need administrator rights in the channel chat');
    }
  }

  /** Store a new message in the chat under the chat's next message_id. */
  addMessage(rec, build) {
    const message = build(rec.nextMessageId);
    rec.nextMessageId += 1;
    const stored = { message, editCount: 0, deleted: false, history: [], meta: {} };
    rec.messages.set(message.message_id, stored);
    return stored;
  }

  findMessage(rec, messageId) {
    const stored = rec.messages.get(Number(messageId));
    return stored && !stored.deleted ? stored : undefined;
  }

  /** Replace a message's content, keeping the previous version in its history. */
  edit(stored, changes) {
    const previous = stored.message;
    stored.history.push(previous);
    const next = { ...previous, ...changes, edit_date: Math.floor(Date.now() / 1000) };
    for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
    stored.message = next;
    stored.editCount += 1;
    return next;
  }
}

/** The replied-to message as Telegram embeds it: without its own reply_to_message. */
function embedded(message) {
  const { reply_to_message: _ignored, ...rest } = message;
  return rest;
}

/** What the control API shows for a stored message. */
function messageView(stored, { history = false } = {}) {
  const m = stored.message;
  const view = {
    message_id: m.message_id,
    chat: m.chat,
    from: m.from,
    date: m.date,
    text: m.text,
    entities: m.entities || [],
    reply_markup: m.reply_markup || null,
    reply_to_message_id: m.reply_to_message ? m.reply_to_message.message_id : null,
    edited: stored.editCount > 0,
    edit_count: stored.editCount,
    edit_date: m.edit_date || null,
    deleted: stored.deleted,
    ...stored.meta,
  };
  if (m.document) view.document = m.document;
  if (m.caption !== undefined) view.caption = m.caption;
  if (history) view.history = stored.history;
  return view;
}

module.exports = { ChatStore, embedded, messageView, CHAT_TYPES };
