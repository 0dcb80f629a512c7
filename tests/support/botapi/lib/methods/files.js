'use strict';

/** getFile: a document's file_id -> its file_path under /file/bot<token>/ (see ../files.js). */
function getFile({ state, params }) {
  return state.files.describe(params.file_id);
}

module.exports = { getFile };
