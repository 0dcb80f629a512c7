'use strict';

/*
 * GET /file/bot<token>/<file_path>: the bytes of a file the bot asked for with getFile.
 * Logged in the call log as method "file" so tests can see downloads. Wrong token: 401;
 * a path getFile never handed out: 404, in Telegram's JSON shape.
 */
const { notFound, unauthorized } = require('./errors');

function fileDownloadHandler(state) {
  return (req, res) => {
    const path = req.params[0];
    const entry = state.calls.begin('file', { file_path: path });
    const fail = (error) => {
      state.calls.finish(entry, error.code, error.toJSON());
      state.changed();
      res.status(error.code).json(error.toJSON());
    };
    if (req.params.token !== state.config.token) return fail(unauthorized());
    const content = state.files.content(path);
    if (content === undefined) return fail(notFound());
    state.calls.finish(entry, 200, { ok: true, result: { file_path: path, size: content.length } });
    state.changed();
    res.status(200).type('application/octet-stream').send(content);
    return undefined;
  };
}

module.exports = { fileDownloadHandler };
