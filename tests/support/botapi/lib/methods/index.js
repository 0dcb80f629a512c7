'use strict';

/** The Bot API methods this server implements, looked up case-insensitively like Telegram. */
const answers = require('./answers');
const bot = require('./bot');
const messages = require('./messages');

const HANDLERS = { ...bot, ...messages, ...answers };

const METHODS = new Map(Object.entries(HANDLERS).map(([name, handler]) => [
  name.toLowerCase(), { name, handler },
]));

module.exports = { METHODS };
