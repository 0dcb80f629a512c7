"""One path from a question to its answer and its bookkeeping, for every way of asking.

Private and group questions, inline queries and page buttons differ only in how an answer is
shown. What is recorded follows one policy, here, instead of four copies in the handlers:

    kind       stats (/stats)         log line   journal (question log, 👍/👎)
    question   yes                    yes        yes
    inline     first page only        yes        no (queries arrive as the user types)
    page       no (same question)     yes        no
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from retrieval import Answer, Scope

from .logs import log_answer
from .state import BotState


class Kind(Enum):
    QUESTION = "question"  # a message: private text, /ask, /start q_..., group mention or reply
    INLINE = "inline"
    PAGE = "page"  # a paging button under an earlier answer


@dataclass(frozen=True)
class Asking:
    """One question as a handler asks it."""

    kind: Kind
    chat: str  # the chat type, for the log ("private", "group", "sender", ...)
    question: str  # cleaned (see clean_question)
    k: int
    offset: int = 0
    scope: Scope | None = None  # the chat's chosen document, beside filters typed in the text
    feedback: str | None = None  # the journal key the answer's 👍/👎 buttons carry

    @property
    def counted(self) -> bool:
        return self.kind is Kind.QUESTION or (self.kind is Kind.INLINE and self.offset == 0)

    @property
    def journaled(self) -> bool:
        return self.kind is Kind.QUESTION


def clean_question(text: str) -> str:
    """The question as searched and recorded: surrounding space gone, runs of whitespace
    (newlines from a pasted paragraph) one space, so filters like 年:2019 stay words."""
    return " ".join(text.split())


def shown(answer: Answer) -> bool:
    """Whether the answer is shown as quotes; otherwise the bot says why nothing answers."""
    return answer.answered and bool(answer.results)


def feedback_key(state: BotState) -> str | None:
    """A journal key for a new answer's vote buttons, when the journal is on."""
    return state.journal.new_key() if state.journal else None


async def ask_and_record(
    state: BotState, asking: Asking, deliver: Callable[[Answer], Awaitable[None]]
) -> Answer:
    """Ask, let `deliver` show the answer, then record it as the table above says. Latency
    includes delivery: it is what the asker waits. A delivery that fails records nothing."""
    started = time.perf_counter()
    answer = await state.engines.ask(asking.question, asking.k, asking.offset, asking.scope)
    await deliver(answer)
    latency_ms = (time.perf_counter() - started) * 1000
    answered = shown(answer)
    results = len(answer.results) if answered else 0
    if asking.counted:
        state.stats.record(answered=answered, latency_ms=latency_ms)
    log_answer(
        kind=asking.kind.value,
        chat=asking.chat,
        latency_ms=latency_ms,
        results=results,
        answered=answered,
        more=answer.more,
        text=asking.question if state.settings.log_text else None,
    )
    if asking.journaled and state.journal:
        await state.journal.record_question(
            key=asking.feedback if answered else None, chat_type=asking.chat,
            text=asking.question, answered=answered, results=results, latency_ms=latency_ms,
        )
    return answer
