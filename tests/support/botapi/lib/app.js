'use strict';

/*
 * The HTTP front. telegram-test-api's TelegramServer is constructed (never started) and its
 * Express app is mounted behind this layer: the layer answers the Bot API methods whose
 * telegram-test-api versions are wrong for PTB 22, and hands the rest of what it routes
 * (deleteWebhook) to telegram-test-api. Files users sent are downloaded from
 * /file/bot<token>/<file_path>, as from Telegram.
 */
const { createRequire } = require('module');
const TelegramServer = require('telegram-test-api');
const { controlRouter } = require('./control');
const { botApiHandler } = require('./dispatch');
const { fileDownloadHandler } = require('./download');
const { State } = require('./state');

// Express is telegram-test-api's own dependency: use that very copy instead of adding one.
const express = createRequire(require.resolve('telegram-test-api'))('express');

const NOT_FOUND = { ok: false, error_code: 404, description: 'Not Found' };

function createApp(config) {
  const base = new TelegramServer({ host: config.host, port: config.port });
  const state = new State(config);
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '20mb' }));
  app.use(express.urlencoded({ extended: false, limit: '20mb' }));
  app.use('/_control', controlRouter(state, express));
  app.all('/bot:token/:method', botApiHandler(state, base.webServer));
  app.get('/file/bot:token/*', fileDownloadHandler(state));
  app.use((req, res) => res.status(404).json(NOT_FOUND));
  // Malformed bodies and other middleware errors, still in Telegram's shape.
  app.use((err, req, res, _next) => {
    const status = err.status && err.status < 500 ? 400 : 500;
    const description = status === 400 ? `Bad Request: ${err.message}` : 'Internal Server Error';
    if (status === 500) console.error('botapi error:', err);
    res.status(status).json({ ok: false, error_code: status, description });
  });
  return { app, state };
}

module.exports = { createApp };
