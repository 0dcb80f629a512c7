'use strict';

/**
 * Bot API errors. Handlers throw these; the dispatcher renders them exactly as Telegram does:
 * {"ok": false, "error_code": N, "description": "...", "parameters": {...}}.
 */
class ApiError extends Error {
  constructor(code, description, parameters) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }

  toJSON() {
    const body = { ok: false, error_code: this.code, description: this.description };
    if (this.parameters) body.parameters = this.parameters;
    return body;
  }
}

/** A mistake in a control-API request (a test bug, not a Bot API error): HTTP 400. */
class ControlError extends Error {
  constructor(message, status = 400) {
    super(message);
    this.status = status;
  }
}

const badRequest = (text) => new ApiError(400, `Bad Request: ${text}`);
const forbidden = (text) => new ApiError(403, `Forbidden: ${text}`);
const conflict = (text) => new ApiError(409, `Conflict: ${text}`);
const notFound = () => new ApiError(404, 'Not Found');
const unauthorized = () => new ApiError(401, 'Unauthorized');
const tooManyRequests = (retryAfter) => new ApiError(
  429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter },
);

/** Descriptions Telegram uses verbatim (after the "Bad Request: " prefix). */
const TEXT = {
  textEmpty: 'message text is empty',
  tooLong: 'message is too long',
  chatNotFound: 'chat not found',
  chatIdEmpty: 'chat_id is empty',
  editNotFound: 'message to edit not found',
  deleteNotFound: 'message to delete not found',
  replyNotFound: 'message to be replied not found',
  cantEdit: "message can't be edited",
  cantDelete: "message can't be deleted",
  notModified: 'message is not modified: specified new message content and reply markup are'
    + ' exactly the same as a current content and reply markup of the message',
  queryInvalid: 'query is too old and response timeout expired or query ID is invalid',
  buttonData: 'BUTTON_DATA_INVALID',
  inlineKeyboardExpected: 'inline keyboard expected',
};

module.exports = {
  ApiError, ControlError, badRequest, forbidden, conflict, notFound, unauthorized, tooManyRequests, TEXT,
};
