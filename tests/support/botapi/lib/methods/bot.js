'use strict';

/*
 * Methods about the bot itself and update delivery: getMe, getUpdates, webhooks, commands
 * and descriptions. deleteWebhook is answered by telegram-test-api (see app.js); the wrapper
 * here only clears our own webhook record and pending updates before handing it over.
 */
const { badRequest, conflict } = require('../errors');
const { DELEGATE, Described } = require('./result');

const SCOPES = new Set([
  'default', 'all_private_chats', 'all_group_chats', 'all_chat_administrators', 'chat',
  'chat_administrators', 'chat_member',
]);

function getMe({ state }) {
  return {
    ...state.botUser,
    can_join_groups: true,
    can_read_all_group_messages: !state.config.privacyMode,
    supports_inline_queries: true,
    can_connect_to_business: false,
    has_main_web_app: false,
  };
}

async function getUpdates({ state, params, res }) {
  if (state.webhook) {
    throw conflict("can't use getUpdates method while webhook is active; use deleteWebhook to"
      + ' delete the webhook first');
  }
  const queue = state.updates;
  queue.wake('superseded');
  queue.setAllowed(params.allowed_updates);
  queue.confirm(params.offset);
  const limit = Math.min(Math.max(params.limit || 100, 1), 100);
  const timeout = Math.min(Math.max(params.timeout || 0, 0), state.config.maxPollTimeout);
  if (queue.pending.length === 0 && timeout > 0) {
    const why = await queue.wait(timeout * 1000, res);
    if (why === 'superseded') {
      throw conflict('terminated by other getUpdates request; make sure that only one bot'
        + ' instance is running');
    }
    if (why === 'reset' || why === 'closed') return [];
  }
  const batch = state.updates.take(limit);
  state.changed();
  return batch;
}

function setWebhook({ state, params }) {
  const url = params.url || '';
  if (url && !/^https:\/\//i.test(url)) {
    throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  }
  // Recorded only: this server never calls out, so updates stay queued while it is set.
  state.webhook = url ? { url, allowed_updates: params.allowed_updates ?? null } : null;
  state.updates.setAllowed(params.allowed_updates);
  if (params.drop_pending_updates) state.updates.drop();
  state.changed();
  return new Described(true, url ? 'Webhook was set' : 'Webhook was deleted');
}

function deleteWebhook({ state, params }) {
  state.webhook = null;
  if (params.drop_pending_updates) state.updates.drop();
  state.changed();
  return DELEGATE;
}

function getWebhookInfo({ state }) {
  const info = { url: state.webhook ? state.webhook.url : '', has_custom_certificate: false,
    pending_update_count: state.updates.pending.length };
  if (state.webhook && state.webhook.allowed_updates) info.allowed_updates = state.webhook.allowed_updates;
  return info;
}

/** Key for per-scope, per-language command lists (getMyCommands returns exact matches). */
function scopeKey(scope, languageCode) {
  const s = scope || { type: 'default' };
  if (typeof s !== 'object' || !SCOPES.has(s.type)) throw badRequest('unsupported bot command scope type');
  return JSON.stringify([s.type, s.chat_id ?? null, s.user_id ?? null, languageCode || '']);
}

function setMyCommands({ state, params }) {
  const { commands } = params;
  if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
  if (commands.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
  for (const c of commands) {
    if (!c || typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) {
      throw badRequest('BOT_COMMAND_INVALID');
    }
    if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) {
      throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    }
  }
  const key = scopeKey(params.scope, params.language_code);
  state.commands.set(key, {
    scope: params.scope || { type: 'default' }, language_code: params.language_code || '',
    commands: commands.map(({ command, description }) => ({ command, description })),
  });
  state.changed();
  return true;
}

function getMyCommands({ state, params }) {
  const entry = state.commands.get(scopeKey(params.scope, params.language_code));
  return entry ? entry.commands : [];
}

function deleteMyCommands({ state, params }) {
  state.commands.delete(scopeKey(params.scope, params.language_code));
  state.changed();
  return true;
}

/** setMyDescription / setMyShortDescription / setMyName and their getters. */
function botText(field, maxLength) {
  const key = (params) => `${field}|${params.language_code || ''}`;
  const set = ({ state, params }) => {
    const value = params[field] ?? '';
    if (String(value).length > maxLength) throw badRequest(`${field.toUpperCase()}_INVALID`);
    state.texts.set(key(params), String(value));
    state.changed();
    return true;
  };
  const fallback = (state) => (field === 'name' ? state.botUser.first_name : '');
  const get = ({ state, params }) => ({ [field]: state.texts.get(key(params)) ?? fallback(state) });
  return { set, get };
}

const description = botText('description', 512);
const shortDescription = botText('short_description', 120);
const name = botText('name', 64);

module.exports = {
  getMe, getUpdates, setWebhook, deleteWebhook, getWebhookInfo,
  setMyCommands, getMyCommands, deleteMyCommands,
  setMyDescription: description.set, getMyDescription: description.get,
  setMyShortDescription: shortDescription.set, getMyShortDescription: shortDescription.get,
  setMyName: name.set, getMyName: name.get,
  logOut: () => true,
  close: () => true,
};
