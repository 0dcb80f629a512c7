'use strict';

/*
 * The Bot API endpoint /bot<token>/<method>: token check, call log, fault injection, then
 * the method handler (or telegram-test-api's route for the methods it still answers), and
 * Telegram-shaped JSON for every outcome.
 */
const { ApiError, notFound, unauthorized } = require('./errors');
const { faultError } = require('./faults');
const { METHODS } = require('./methods');
const { DELEGATE, Described } = require('./methods/result');
const { decodeParams } = require('./params');

const TOKEN_FORMAT = /^\d+:[\w-]+$/;
const INTERNAL = { ok: false, error_code: 500, description: 'Internal Server Error' };

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Express handler for /bot:token/:method; `delegate` is telegram-test-api's Express app. */
function botApiHandler(state, delegate) {
  return async (req, res, next) => {
    const { token, method } = req.params;
    const found = METHODS.get(method.toLowerCase());
    const entry = state.calls.begin(found ? found.name : method, { ...req.query, ...req.body });
    const finish = (status, body) => {
      state.calls.finish(entry, status, body);
      state.changed();
    };
    const send = (status, body) => {
      finish(status, body);
      if (!res.headersSent && !res.destroyed) res.status(status).json(body);
    };
    res.on('close', () => finish(0, null)); // no-op if an answer was already logged

    try {
      if (!TOKEN_FORMAT.test(token)) throw notFound();
      if (token !== state.config.token) throw unauthorized();
      if (!found) throw notFound();
      const params = decodeParams(req.query, req.body);
      entry.params = params;

      const fault = state.faults.take(found.name);
      if (fault) {
        entry.fault = fault.drop ? 'drop' : fault.status;
        if (fault.delay) await sleep(fault.delay * 1000);
        if (fault.drop) {
          req.socket.destroy();
          return;
        }
        const error = faultError(fault);
        if (error) throw error;
      }

      const result = await found.handler({ state, params, res });
      if (result === DELEGATE) {
        const json = res.json.bind(res);
        res.json = (body) => {
          finish(res.statusCode, body);
          return json(body);
        };
        delegate(req, res, next);
      } else if (result instanceof Described) {
        send(200, { ok: true, result: result.result, description: result.description });
      } else {
        send(200, { ok: true, result });
      }
    } catch (err) {
      if (err instanceof ApiError) {
        send(err.code, err.toJSON());
      } else {
        console.error(`botapi: ${method} failed:`, err);
        send(500, INTERNAL);
      }
    }
  };
}

module.exports = { botApiHandler };
