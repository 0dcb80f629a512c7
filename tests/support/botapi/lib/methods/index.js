'use strict';

/** The Bot API methods this server implements, looked up case-insensitively like Telegram. */
const answers = require('./answers');
const bot = require('./bot');
const files = require('./files');
const messages = require('./messages');

const HANDLERS = { ...bot, ...messages, ...answers, ...files };

const METHODS = new Map(Object.entries(HANDLERS).map(([name, handler]) => [
  name.toLowerCase(), { name, handler },
]));

module.exports = { METHODS };
