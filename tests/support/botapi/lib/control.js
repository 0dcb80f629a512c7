'use strict';

/*
 * The control API under /_control: what tests use to act as users and to read what the bot
 * did. Not part of the Bot API. Reads accept ?wait=SECONDS to hold the request until the
 * awaited thing exists (at most 60 s), so tests need no polling loops.
 */
const { ControlError } = require('./errors');
const injections = require('./injections');
const { messageView } = require('./store');

const MAX_WAIT_SECONDS = 60;

function waitMs(req) {
  const seconds = Number(req.query.wait || 0);
  if (!(seconds >= 0)) throw new ControlError('wait must be a number of seconds');
  return Math.min(seconds, MAX_WAIT_SECONDS) * 1000;
}

function chatRecord(state, id) {
  const rec = state.store.get(id);
  if (!rec) throw new ControlError(`unknown chat ${id}`, 404);
  return rec;
}

function queryView(item) {
  return { id: item.id, kind: item.kind, ...item.data, answer: item.answer, answered_at: item.answeredAt };
}

const BATCH_ACTIONS = {
  message: injections.userMessage,
  edited_message: injections.editedMessage,
  channel_post: injections.channelPost,
  callback_query: injections.callbackQuery,
  inline_query: injections.inlineQuery,
  chosen_inline_result: injections.chosenInlineResult,
};

/** One action of a batch: its endpoint's answer, or {error} if the control API refuses it. */
function injectOne(state, action) {
  const inject = BATCH_ACTIONS[action && action.type];
  if (!inject) return { error: `unknown action type ${JSON.stringify(action && action.type)}` };
  try {
    return inject(state, action);
  } catch (err) {
    if (err instanceof ControlError) return { error: err.message };
    throw err;
  }
}

function controlRouter(state, express) {
  const router = express.Router();
  const route = (verb, path, handler) => router[verb](path, async (req, res) => {
    try {
      const out = await handler(req, res);
      if (!res.headersSent) res.json({ ok: true, ...out });
    } catch (err) {
      const status = err instanceof ControlError ? err.status : 500;
      if (status === 500) console.error('botapi control error:', err);
      if (!res.headersSent) res.status(status).json({ ok: false, error: err.message });
    }
  });

  route('get', '/health', () => ({ bot: state.botUser, config: state.config }));
  route('post', '/reset', () => {
    state.reset();
    return {};
  });
  route('post', '/limits', (req) => {
    const changes = req.body || {};
    const unknown = Object.keys(changes).filter((key) => !(key in state.limiter.limits));
    if (unknown.length) throw new ControlError(`unknown limits ${unknown.join(', ')}`);
    Object.assign(state.limiter.limits, changes);
    return { limits: state.limiter.limits };
  });

  // Acting as users.
  route('post', '/updates/message', (req) => injections.userMessage(state, req.body));
  route('post', '/updates/document', (req) => injections.userDocument(state, req.body));
  route('get', '/files', () => ({ files: state.files.view() }));
  route('post', '/updates/edited_message', (req) => injections.editedMessage(state, req.body));
  route('post', '/updates/channel_post', (req) => injections.channelPost(state, req.body));
  route('post', '/updates/callback_query', (req) => injections.callbackQuery(state, req.body));
  route('post', '/updates/inline_query', (req) => injections.inlineQuery(state, req.body));
  route('post', '/updates/chosen_inline_result', (req) => injections.chosenInlineResult(state, req.body));
  route('get', '/updates', () => state.updates.view());
  // Many actions in one request, in order (fuzz tests send thousands): each is {type, ...the
  // body of that action's endpoint}; an action the control API refuses yields {error}.
  route('post', '/updates/batch', (req) => {
    const actions = (req.body || {}).actions;
    if (!Array.isArray(actions)) throw new ControlError('actions must be an array');
    return { results: actions.map((action) => injectOne(state, action)) };
  });

  // Chats and what the bot sent.
  route('post', '/chats', (req) => {
    const b = req.body || {};
    if (!Number.isInteger(b.id)) throw new ControlError('chat id must be an integer');
    const type = b.type || (b.id > 0 ? 'private' : 'group');
    const user = type === 'private'
      ? state.store.upsertUser({ id: b.id, first_name: b.first_name, username: b.username })
      : undefined;
    const rec = state.store.upsertChat({ id: b.id, type, title: b.title, username: b.username, user });
    if (b.blocked !== undefined) rec.blocked = Boolean(b.blocked);
    if (b.member !== undefined) rec.member = Boolean(b.member);
    if (b.bot_is_admin !== undefined) rec.botIsAdmin = Boolean(b.bot_is_admin);
    state.changed();
    return { chat: rec.chat };
  });
  route('get', '/chats/:id', (req) => {
    const rec = chatRecord(state, req.params.id);
    return {
      chat: rec.chat, member: rec.member, blocked: rec.blocked, bot_is_admin: rec.botIsAdmin,
      chat_instance: rec.instance, actions: rec.actions,
    };
  });
  route('get', '/chats/:id/messages', async (req, res) => {
    const from = req.query.from || 'bot';
    const minCount = Number(req.query.min_count || 0);
    const options = { history: req.query.history === '1' };
    const list = () => {
      const rec = state.store.get(req.params.id);
      if (!rec) return [];
      return [...rec.messages.values()]
        .filter((s) => req.query.include_deleted === '1' || !s.deleted)
        .filter((s) => from === 'all' || (from === 'bot') === (s.message.from?.id === state.botUser.id))
        .map((s) => messageView(s, options));
    };
    const messages = await state.waitFor(() => {
      const current = list();
      return current.length >= minCount ? current : undefined;
    }, waitMs(req), res);
    return { messages: messages || list(), complete: messages !== undefined };
  });
  route('get', '/chats/:id/messages/:mid', async (req, res) => {
    const minEdits = Number(req.query.min_edits || 0);
    const find = () => state.store.get(req.params.id)?.messages.get(Number(req.params.mid));
    const stored = await state.waitFor(() => {
      const s = find();
      return s && s.editCount >= minEdits ? s : undefined;
    }, waitMs(req), res);
    const current = stored || find();
    if (!current) throw new ControlError(`no message ${req.params.mid} in chat ${req.params.id}`, 404);
    return { message: messageView(current, { history: true }), complete: stored !== undefined };
  });
  route('get', '/inline_messages/:id', (req) => {
    const inline = state.inlineMessages.get(req.params.id);
    if (!inline) throw new ControlError(`unknown inline message ${req.params.id}`, 404);
    return { message: inline };
  });

  // Answers to queries.
  for (const kind of ['callback', 'inline']) {
    route('get', `/${kind}_queries/:id`, async (req, res) => {
      const item = state.queries.get(req.params.id);
      if (!item || item.kind !== kind) throw new ControlError(`unknown ${kind} query ${req.params.id}`, 404);
      await state.waitFor(() => item.answer || undefined, waitMs(req), res);
      return { query: queryView(item), answered: Boolean(item.answer) };
    });
  }

  // The call log and fault injection.
  route('get', '/calls', async (req, res) => {
    const minCount = Number(req.query.min_count || 0);
    const done = (e) => e.status !== null;
    const calls = () => state.calls.list(req.query.method).filter(done);
    const complete = await state.waitFor(() => (calls().length >= minCount ? true : undefined),
      waitMs(req), res);
    return { calls: state.calls.list(req.query.method), complete: Boolean(complete) };
  });
  route('get', '/faults', () => ({ faults: state.faults.list() }));
  route('post', '/faults', (req) => {
    state.faults.add(req.body || {});
    return { faults: state.faults.list() };
  });
  route('delete', '/faults', () => {
    state.faults.pending = [];
    return { faults: [] };
  });

  // What the bot configured about itself.
  route('get', '/bot', () => ({
    me: state.botUser,
    webhook: state.webhook,
    allowed_updates: state.updates.allowed ? [...state.updates.allowed] : null,
    commands: [...state.commands.values()],
    texts: Object.fromEntries(state.texts),
  }));

  router.use((req, res) => {
    res.status(404).json({ ok: false, error: `no control endpoint ${req.method} ${req.path}` });
  });
  return router;
}

module.exports = { controlRouter };
