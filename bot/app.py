"""Builds the Telegram Application and wires every handler, in one visible list.

Handler groups run in order and an update visits each group: gates first (group -2 access
allowlists, group -1 per-user rate limit; both stop an update with ApplicationHandlerStop),
then the logic in group 0, where the first matching handler wins. Errors anywhere go to one
error handler that logs and answers briefly, so a failing update never stops the bot.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable
from functools import partial

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
from telegram.error import InvalidToken, TelegramError
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
from .engines import EngineHolder
from .handlers import admin, buttons, commands, documents, feedback, gates, inline, questions
from .handlers.errors import on_error
from .health import HealthServer, status_of
from .journal import open_journal
from .limiter import RetryingRateLimiter
from .logs import configure_logging, quiet_http_logs, redact_in_logs
from .settings import TOKEN_ENV, BotSettings, bot_settings, read_token
from .state import STATE_KEY, BotApplication, BotContext, BotState

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
        (LOGIC, CallbackQueryHandler(buttons.expired_button)),
        # Inline mode.
        (LOGIC, InlineQueryHandler(inline.inline_query)),
    ]


def build_application(
    config: Config,
    engine: Engine,
    *,
    token: str | None = None,
    engine_factory: Callable[[], Engine] | None = None,
) -> BotApplication:
    """The configured Application; `engine_factory` (default: Engine.open) serves /reload."""
    settings = bot_settings(config)
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
        "bot @%s ready: %d speeches, %d passages", bot.username, report.speeches, report.passages
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


def run(config: Config, engine_factory: Callable[[], Engine]) -> None:
    """Load the index, then serve until interrupted: long polling, or a webhook if configured."""
    settings = bot_settings(config)
    configure_logging(settings.log_level, log_text=settings.log_text)
    token = read_token(settings)
    if not token:
        raise ConfigError(f"no bot token: set {TOKEN_ENV} or telegram.token_file")
    redact_in_logs(token, settings.webhook.secret_token)
    logger.info("loading the index")
    engine = engine_factory()
    logger.info(
        "index ready: %d speeches, %d passages (%s, %.1fs)",
        engine.report.speeches, engine.report.passages,
        "cache" if engine.report.loaded_from_cache else "built", engine.report.seconds,
    )
    application = build_application(config, engine, token=token, engine_factory=engine_factory)
    try:
        _serve(application, settings)
    except InvalidToken:
        # PTB's message for a rejected token quotes the token; say where it came from instead.
        raise ConfigError(
            f"Telegram rejected the bot token (from {TOKEN_ENV} or telegram.token_file)"
        ) from None


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
            timeout=settings.poll_timeout,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=settings.drop_pending_updates,
        )
