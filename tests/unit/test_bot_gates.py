"""Access policy, refusal throttling, per-user rate limit and /stats percentiles."""

from __future__ import annotations

from bot.access import AccessPolicy, RefusalLog
from bot.handlers.questions import deep_link_payload, question_from_payload
from bot.settings import AccessSettings
from bot.stats import Stats, percentile
from bot.user_quota import UserRateLimiter, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def policy(users=(), chats=(), admins=()) -> AccessPolicy:
    return AccessPolicy(AccessSettings(frozenset(users), frozenset(chats), frozenset(admins), 60))


def test_empty_allowlists_admit_everyone() -> None:
    open_policy = policy()
    assert open_policy.allows(5, 5, private=True)
    assert open_policy.allows(5, -100, private=False)
    assert open_policy.allows(5, None, private=True)


def test_user_allowlist_applies_in_private_inline_and_unlisted_groups() -> None:
    p = policy(users=[1], admins=[9])
    assert p.allows(1, 1, private=True) and not p.allows(2, 2, private=True)
    assert p.allows(9, 9, private=True)  # admins always pass
    assert p.allows(1, -100, private=False) and not p.allows(2, -100, private=False)
    assert not p.allows(2, None, private=True)  # inline query from an outsider


def test_chat_allowlist_admits_all_members_of_listed_groups_only() -> None:
    p = policy(users=[1], chats=[-100])
    assert p.allows(2, -100, private=False)
    assert not p.allows(1, -200, private=False)
    assert p.allows(1, 1, private=True) and not p.allows(2, 2, private=True)


def test_refusal_once_per_interval() -> None:
    clock = Clock()
    refusals = RefusalLog(60, clock=clock)
    assert refusals.should_refuse(7)
    assert not refusals.should_refuse(7)
    assert refusals.should_refuse(8)
    clock.now += 61
    assert refusals.should_refuse(7)


def test_rate_limit_notifies_once_then_drops_then_recovers() -> None:
    clock = Clock()
    limiter = UserRateLimiter(3, 10, clock=clock)
    assert [limiter.check(1) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert limiter.check(1) is Verdict.NOTIFY
    assert limiter.check(1) is Verdict.DROP
    assert limiter.check(2) is Verdict.ALLOW  # other users unaffected
    assert 0 < limiter.retry_in(1) <= 10
    clock.now += 10
    assert limiter.check(1) is Verdict.ALLOW
    assert [limiter.check(1) for _ in range(3)][-1] is Verdict.NOTIFY


def test_stats_percentiles_and_unanswered_rate() -> None:
    stats = Stats()
    for ms in range(1, 101):
        stats.record(answered=ms % 4 != 0, latency_ms=float(ms))
    snap = stats.snapshot()
    assert (snap.questions, snap.unanswered) == (100, 25)
    assert snap.unanswered_rate == 0.25
    assert (snap.p50_ms, snap.p95_ms) == (50.0, 95.0)
    assert percentile([], 50) is None
    assert Stats().snapshot().unanswered_rate == 0.0


def test_deep_link_payload_round_trip_and_limits() -> None:
    payload = deep_link_payload("课后服务怎么开展")
    assert payload is not None and payload.startswith("q_") and "=" not in payload
    assert len(payload) <= 64
    assert question_from_payload(payload) == "课后服务怎么开展"
    assert deep_link_payload("很长的问题" * 10) is None
    assert question_from_payload("help") is None
    assert question_from_payload("q_!!!") is None
    assert question_from_payload("q_" + "_w") is None  # not UTF-8
