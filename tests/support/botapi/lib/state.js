'use strict';

/*
 * Everything the fake Telegram knows, in one place so that reset() can start over. Update
 * ids keep counting across resets: a bot that survives a reset still sends its old offset,
 * and restarting at 1 would make the server treat new updates as already confirmed.
 */
const { EventEmitter } = require('events');
const { CallLog } = require('./calllog');
const { Faults } = require('./faults');
const { FileStore } = require('./files');
const { RateLimiter } = require('./limits');
const { QueryRegistry } = require('./queries');
const { ChatStore } = require('./store');
const { UpdateQueue } = require('./updates');

class State {
  constructor(config) {
    this.config = config;
    this.events = new EventEmitter();
    this.events.setMaxListeners(0);
    const botId = Number(String(config.token).split(':')[0]);
    this.botUser = {
      id: botId, is_bot: true, first_name: config.botName, username: config.botUsername,
    };
    this.reset();
  }

  reset() {
    const nextUpdateId = this.updates ? this.updates.nextId : 1;
    if (this.updates) this.updates.wake('reset');
    this.store = new ChatStore();
    this.updates = new UpdateQueue(nextUpdateId);
    this.queries = new QueryRegistry(this.config.queryTtl);
    this.calls = new CallLog();
    this.faults = new Faults();
    this.files = new FileStore();
    this.limiter = new RateLimiter(this.config.limits);
    this.inlineMessages = new Map();
    this.webhook = null;
    this.commands = new Map(); // scope+language key -> {scope, language_code, commands}
    this.texts = new Map(); // "description|en" etc -> value
    this.changed();
  }

  /** Tell control-API waiters that something may have happened. */
  changed() {
    this.events.emit('change');
  }

  /**
   * Resolve with check()'s first non-undefined value, re-checking on every change, or with
   * undefined after timeoutMs or when the HTTP client of this wait goes away.
   */
  waitFor(check, timeoutMs, response) {
    const first = check();
    if (first !== undefined || timeoutMs <= 0) return Promise.resolve(first);
    return new Promise((resolve) => {
      const finish = (value) => {
        clearTimeout(timer);
        this.events.off('change', onChange);
        response.off('close', onClose);
        resolve(value);
      };
      const onChange = () => {
        const value = check();
        if (value !== undefined) finish(value);
      };
      const onClose = () => finish(undefined);
      const timer = setTimeout(() => finish(check()), timeoutMs);
      this.events.on('change', onChange);
      response.on('close', onClose);
    });
  }
}

module.exports = { State };
