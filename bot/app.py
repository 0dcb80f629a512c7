"""Builds the Telegram Application and wires every handler, in one visible list.

Handler groups run in order and an update visits each group: gates first (group -2 access
allowlists, group -1 per-user rate limit; both stop an update with ApplicationHandlerStop),
then the logic in group 0, where the first matching handler wins. Errors anywhere go to one
error handler that logs and answers briefly, so a failing update never stops the bot.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Awaitable, Callable
from functools import partial
from urllib.parse import urlparse

# PTB 22 warns on every RetryAfter (each flood wait) until its time periods are opted in to
# datetime.timedelta, which PTB 23 makes the only form; nothing here reads them as ints.
os.environ.setdefault("PTB_TIMEDELTA", "1")

import httpx
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from retrieval import Config, ConfigError, Engine

from . import filters as ask
from . import texts
from .handlers import admin, buttons, commands, documents, feedback, gates, inline, questions
from .handlers.errors import on_error
from .health import HealthServer, status_of
from .journal import open_journal
from .live_engine import EngineHolder
from .logs import StartupFailureToDebug, configure_logging, quiet_http_logs, redact_in_logs
from .settings import TOKEN_ENV, BotSettings, bot_settings, read_token
from .state import STATE_KEY, BotApplication, BotContext, BotState
from .telegram_limits import RetryingRateLimiter

logger = logging.getLogger(__name__)

ACCESS, RATE, LOGIC = -2, -1, 0
# Updates the bot asks Telegram for: everything else (edits, channel posts, ...) is ignored.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


def handlers(settings: BotSettings) -> list[tuple[int, BaseHandler[Update, BotContext, None]]]:
    """Every handler with its group: the whole behaviour of the bot at a glance."""
    new = filters.UpdateType.MESSAGE  # edits of old messages are not new questions
    admins = filters.User(user_id=settings.access.admins)  # empty: nobody
    return [
        # Gates.
        (ACCESS, TypeHandler(Update, gates.access_gate)),
        (RATE, MessageHandler(ask.QUESTION, gates.question_rate_gate)),
        (RATE, CallbackQueryHandler(gates.button_rate_gate)),
        # Commands.
        (LOGIC, CommandHandler("start", questions.start_command, filters=new)),
        (LOGIC, CommandHandler("ask", questions.ask_command, filters=new)),
        (LOGIC, CommandHandler("help", commands.help_command, filters=new)),
        (LOGIC, CommandHandler("sources", commands.sources_command, filters=new)),
        (LOGIC, CommandHandler("reload", admin.reload_command, filters=new & admins)),
        (LOGIC, CommandHandler("stats", admin.stats_command, filters=new & admins)),
        (LOGIC, CommandHandler(["reload", "stats"], admin.admin_only, filters=new)),
        # Questions without a command.
        (LOGIC, MessageHandler(ask.PRIVATE_QUESTION, questions.private_question)),
        (LOGIC, MessageHandler(ask.GROUP_REPLY, questions.group_reply)),
        (LOGIC, MessageHandler(ask.GROUP_MENTION, questions.group_mention)),
        # Speech files: admins' are stored and indexed; others' get a refusal (groups: silence).
        (LOGIC, MessageHandler(new & filters.ChatType.PRIVATE & filters.Document.ALL & admins,
                               documents.upload)),
        (LOGIC, MessageHandler(new & filters.ChatType.PRIVATE & filters.Document.ALL,
                               documents.refuse)),
        # What a private chat sends that is not a question.
        (LOGIC, MessageHandler(new & filters.ChatType.PRIVATE & filters.COMMAND,
                               commands.unknown_command)),
        (LOGIC, MessageHandler(ask.PRIVATE_OTHER, commands.not_text)),
        # Buttons under answers; anything unrecognised is an expired button.
        (LOGIC, CallbackQueryHandler(buttons.page_button, pattern=buttons.PAGE_PATTERN)),
        (LOGIC, CallbackQueryHandler(buttons.context_button, pattern=buttons.CONTEXT_PATTERN)),
        (LOGIC, CallbackQueryHandler(feedback.feedback_button, pattern=feedback.FEEDBACK_PATTERN)),
        (LOGIC, CallbackQueryHandler(buttons.sources_button, pattern=buttons.SOURCES_PATTERN)),
        (LOGIC, CallbackQueryHandler(buttons.scope_button, pattern=buttons.SCOPE_PATTERN)),
        (LOGIC, CallbackQueryHandler(buttons.expired_button)),
        # Inline mode.
        (LOGIC, InlineQueryHandler(inline.inline_query)),
    ]


def build_application(
    config: Config,
    engine: Engine,
    *,
    settings: BotSettings | None = None,
    token: str | None = None,
    engine_factory: Callable[[], Engine] | None = None,
) -> BotApplication:
    """The configured Application; `engine_factory` (default: Engine.open) serves /reload.

    `settings` are the caller's parse of ``config`` (run() passes its own, so the webhook
    secret registered and the one redacted from logs are one); None parses them here.
    """
    settings = settings or bot_settings(config)
    token = token or read_token(settings)
    if not token:
        raise ConfigError(f"no bot token: set {TOKEN_ENV} or telegram.token_file")
    quiet_http_logs()
    factory = engine_factory or partial(Engine.open, config.retrieval)
    application: BotApplication = (
        Application.builder()
        .token(token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(RetryingRateLimiter(settings.rate_limit))
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(True)  # one slow question must not hold up the others
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    state = BotState.create(settings, EngineHolder(engine, factory))
    state.journal = open_journal(settings.journal)
    application.bot_data[STATE_KEY] = state
    for group, handler in handlers(settings):
        application.add_handler(handler, group=group)
    application.add_error_handler(on_error)
    return application


async def post_init(application: BotApplication) -> None:
    """Command menus per scope and the bot's descriptions; a failure here only warns."""
    bot = application.bot
    state: BotState = application.bot_data[STATE_KEY]
    scopes: list[tuple[BotCommandScope, list[tuple[str, str]]]] = [
        (BotCommandScopeAllPrivateChats(), texts.COMMANDS_PRIVATE),
        (BotCommandScopeAllGroupChats(), texts.COMMANDS_GROUP),
        (BotCommandScopeAllChatAdministrators(), texts.COMMANDS_GROUP),
    ]
    scopes += [
        (BotCommandScopeChat(admin_id), texts.COMMANDS_PRIVATE + texts.COMMANDS_ADMIN)
        for admin_id in sorted(state.settings.access.admins)
    ]
    for scope, pairs in scopes:
        commands = [BotCommand(name, description) for name, description in pairs]
        await _best_effort(bot.set_my_commands(commands, scope=scope), f"commands {scope.type}")
    await _best_effort(bot.set_my_description(texts.DESCRIPTION), "description")
    await _best_effort(bot.set_my_short_description(texts.SHORT_DESCRIPTION), "short description")
    report = state.engines.current.report
    logger.info(
        "bot @%s ready: %d documents, %d passages", bot.username, report.documents, report.passages
    )
    if state.settings.health.active(state.settings.webhook.enabled):
        start_health(application)


def start_health(application: BotApplication) -> None:
    """Serve /healthz (see bot/health.py); a port in use is logged, the bot still serves."""
    state: BotState = application.bot_data[STATE_KEY]

    def running() -> bool:
        updater = application.updater
        return application.running and (updater is None or updater.running)

    server = HealthServer(
        state.settings.health,
        status_of(lambda: state.engines.current.report.passages, running, time.monotonic()),
    )
    try:
        server.start()
    except OSError as error:
        logger.error("health endpoint not started: %s", error)
        return
    state.health = server


async def post_shutdown(application: BotApplication) -> None:
    """Stop /healthz and close the journal (its committed rows are safe either way)."""
    state: BotState = application.bot_data[STATE_KEY]
    if state.health is not None:
        await state.health.stop()
        state.health = None
    if state.journal is not None:
        await state.journal.close()
        state.journal = None


async def _best_effort(call: Awaitable[object], what: str) -> None:
    """Menus and descriptions are cosmetic: a server that refuses them must not stop start-up."""
    try:
        await call
    except TelegramError as error:
        logger.warning("could not set %s: %s", what, error.message)


def token_configured(config: Config) -> bool:
    """Whether a token source is set (env or telegram.token_file): serve, or use the terminal."""
    if os.environ.get(TOKEN_ENV, "").strip():
        return True
    return bool(config.section("telegram").get("token_file"))


def run(
    config: Config, engine_factory: Callable[[], Engine], settings: BotSettings | None = None
) -> None:
    """Load the index, then serve until interrupted: long polling, or a webhook if configured.

    `settings`: the bot sections as the caller parsed them (None: parse them here, once).
    """
    settings = settings or bot_settings(config)
    configure_logging(settings.log_level, log_text=settings.log_text)
    token = read_token(settings)
    if not token:
        raise ConfigError(f"no bot token: set {TOKEN_ENV} or telegram.token_file")
    redact_in_logs(token, settings.webhook.secret_token)
    logger.info("loading the index")
    engine = engine_factory()
    logger.info(
        "index ready: %d documents, %d passages (%s, %.1fs)",
        engine.report.documents, engine.report.passages,
        "cache" if engine.report.loaded_from_cache else "built", engine.report.seconds,
    )
    application = build_application(config, engine, settings=settings, token=token,
                                    engine_factory=engine_factory)
    # PTB logs a failed start-up with its traceback before raising it; it is said below in one
    # line, so its traceback goes to debug.
    ptb_logger = logging.getLogger("telegram.ext")
    if not any(isinstance(f, StartupFailureToDebug) for f in ptb_logger.filters):
        ptb_logger.addFilter(StartupFailureToDebug())
    try:
        _serve(application, settings)
    except InvalidToken:
        # PTB's message for a rejected token quotes the token; say where it came from instead.
        raise ConfigError(
            f"Telegram rejected the bot token (from {TOKEN_ENV} or telegram.token_file)"
        ) from None
    except NetworkError as error:  # TimedOut too; raised after RetryingRateLimiter's retries
        host = urlparse(settings.base_url).netloc
        raise TelegramUnreachable(
            f"cannot reach the Telegram Bot API at {host}: {network_failure(error)}"
        ) from None


class TelegramUnreachable(RuntimeError):
    """Start-up could not reach the Bot API (after the configured retries); str() says why."""


def network_failure(error: BaseException) -> str:
    """What went wrong on the network, in a few words: the chained httpx error tells."""
    chain: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending and len(chain) < 20:
        cause = pending.pop()
        chain.append(cause)
        if isinstance(cause, BaseExceptionGroup):  # anyio: one error per address tried
            pending.extend(cause.exceptions)
        if cause.__cause__ or cause.__context__:
            pending.append(cause.__cause__ or cause.__context__)  # type: ignore[arg-type]
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, TimedOut | httpx.TimeoutException) for e in chain):
        return "no reply (timed out)"
    if any(s in text for s in ("name or service not known", "name resolution", "nodename",
                               "no address associated", "getaddrinfo")):
        return "name not resolved"
    if "connection refused" in text or any(
        isinstance(e, ConnectionRefusedError) for e in chain
    ):
        return "connection refused"
    return str(error) or type(error).__name__


def _serve(application: BotApplication, settings: BotSettings) -> None:
    webhook = settings.webhook
    if webhook.enabled:
        logger.info("serving by webhook on %s:%d/%s", webhook.listen, webhook.port, webhook.path)
        application.run_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=webhook.path,
            webhook_url=webhook.url,
            secret_token=webhook.secret_token,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=settings.drop_pending_updates,
        )
    else:
        logger.info("serving by long polling")
        application.run_polling(
            timeout=dt.timedelta(seconds=settings.poll_timeout),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=settings.drop_pending_updates,
        )
