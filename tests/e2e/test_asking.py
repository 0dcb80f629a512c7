"""Asking a real corpus through the bot, end to end: what answers tell beside the quotes (dates,
pages, other documents, phrase counts, missing words, the scope), why nothing answers, filters
typed in the question, asking within one document chosen under /sources, share links that open
one quote again, and one bookkeeping for every way of asking.

The corpus is seeds/ plus three dated documents of two provinces (one a PDF, for pages), two
of which share a paragraph. One Application per module; each test has its own users and chats.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from bot import texts
from bot.state import BotApplication
from retrieval import Config
from tests.support.bot_harness import SEEDS, LogCapture, bot_config, shared_cache, state_of
from tests.support.botapi import BotApiServer
from tests.support.make_pdf import Para, write_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

SHARED = "各地要把研学旅行纳入中小学教育教学计划，确保每名学生每学年至少参加一次研学旅行活动。"
SICHUAN_2019 = (
    "2019年四川省教育工作要点\n一、总体要求\n" + SHARED + "\n"
    "要推进四川藏区寄宿制学校建设，改善办学条件。\n"
)
SICHUAN_2021 = (
    "2021年四川省教育工作会议上的讲话\n一、重点任务\n" + SHARED + "\n"
    "要加快建设成渝地区双城经济圈教育协同发展示范区。\n"
)
GANSU_TITLE = "2022年甘肃省教育督导工作报告"
GANSU_PARAS = [Para(GANSU_TITLE, align="center")] + [
    Para(f"第{i}条，要加强督学队伍建设，完善督导评估监测制度，落实督导结果运用。")
    for i in range(1, 30)
] + [Para("要健全校外培训机构督导检查长效机制，严肃查处违规培训行为。")]
SOURCE = re.compile(r"^([①-⑳]) (.+ · 第\d+段.*)$", re.MULTILINE)
SCOPED_TITLE = "在2023年全县教育工作推进会上的讲话"  # a seed document


@pytest.fixture(scope="module")
def config(
    tmp_path_factory: pytest.TempPathFactory, botapi_session_server: BotApiServer
) -> Config:
    tmp = tmp_path_factory.mktemp("asking")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "sc2019.txt").write_text(SICHUAN_2019, encoding="utf-8")
    (corpus / "sc2021.txt").write_text(SICHUAN_2021, encoding="utf-8")
    write_pdf(corpus / "gs2022.pdf", GANSU_PARAS)
    return bot_config(tmp, botapi_session_server, cache=shared_cache(tmp_path_factory),
                      corpus=[SEEDS, corpus],
                      yaml="rate_limit: {questions: 100, per_seconds: 60}\n")


# --- helpers -------------------------------------------------------------------------------

def entities(message: dict[str, Any], *kinds: str) -> list[tuple[str, dict[str, Any]]]:
    """(text, entity) of the message's entities of these types (offsets are UTF-16 units)."""
    units = message["text"].encode("utf-16-le")
    return [
        (units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le"), e)
        for e in message.get("entities", [])
        if e["type"] in kinds
    ]


def quotes(message: dict[str, Any]) -> list[str]:
    return [text for text, _ in entities(message, "blockquote", "expandable_blockquote")]


def sources(message: dict[str, Any]) -> list[str]:
    return [line for _, line in SOURCE.findall(message["text"])]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button(message: dict[str, Any], label: str) -> str:
    for candidate in buttons(message):
        if candidate["text"] == label or label in candidate["text"]:
            return str(candidate["callback_data"])
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons(message)]}")


async def ask(server: BotApiServer, user: int, text: str, count: int = 1,
              chat_id: int | None = None, chat_type: str = "private") -> dict[str, Any]:
    await server.send_message(user_id=user, text=text, chat_id=chat_id, chat_type=chat_type)
    return (await server.wait_bot_messages(chat_id or user, count))[-1]


async def press(server: BotApiServer, user: int, message: dict[str, Any], data: str,
                chat_id: int | None = None) -> dict[str, Any]:
    query_id = await server.press_button(user_id=user, chat_id=chat_id or user,
                                         message_id=message["message_id"], data=data)
    return await server.wait_callback_answer(query_id)


# --- what an answer tells ------------------------------------------------------------------

async def test_source_lines_carry_date_page_and_the_other_documents(server: BotApiServer) -> None:
    shared = await ask(server, 3001, "研学旅行纳入教育教学计划")
    first = sources(shared)[0]
    assert first.startswith("《2019年四川省教育工作要点》 · 一、总体要求 · 第1段")
    assert first.endswith(" · 2019 · 另见于 1 篇")  # the same paragraph is in the 2021 speech
    paged = await ask(server, 3001, "校外培训机构督导检查", count=2)
    assert re.fullmatch(rf"《{GANSU_TITLE}》 · 第\d+段 · 第[2-9]页 · 2022", sources(paged)[0])


async def test_phrase_count_and_missing_words_are_said(server: BotApiServer) -> None:
    phrase = await ask(server, 3002, "“立德树人”")
    lines = phrase["text"].splitlines()
    count = next(line for line in lines if line.startswith("“立德树人”共 "))
    assert re.fullmatch(r"“立德树人”共 \d+ 处，分布在 \d+ 篇", count)
    assert all("立德树人" in quote for quote in quotes(phrase))
    partial = await ask(server, 3002, "校长陪餐制度", count=2)
    assert "语料中没有“陪餐”" in partial["text"].splitlines()


@pytest.mark.parametrize(("user", "question", "reason"), [
    (3010, "“校长陪餐制度”", "phrase-absent"),
    (3011, "qwxz", "not-chinese"),
    (3012, "？？？", "no-terms"),
    (3013, "地:西藏 教师", "scope-unmatched"),
])
async def test_nothing_answers_says_why(
    server: BotApiServer, user: int, question: str, reason: str
) -> None:
    reply = await ask(server, user, question)
    assert not quotes(reply) and not buttons(reply)
    if reason == "scope-unmatched":  # the engine's note is the reason: said once, with a hint
        said = "语料中没有西藏自治区的文件。 可以去掉这些限定再试。"
        assert reply["text"].splitlines()[1:] == [said]
        return
    assert texts.NO_ANSWER_TEXTS[reason] in reply["text"]
    if reason == "phrase-absent":
        assert "语料中没有“陪餐”" in reply["text"]


async def test_no_direct_answer_still_shows_the_closest_passages(server: BotApiServer) -> None:
    reply = await ask(server, 3014, "城乡居民医保今年个人缴费标准是多少？")
    lines = reply["text"].splitlines()
    assert any(line.startswith("没有找到直接回答的段落，以下是最接近的（第 1") for line in lines)
    assert "语料中没有“医保”“缴费”" in lines and quotes(reply)
    inline = await server.wait_inline_answer(
        await server.inline_query(user_id=3014, query="城乡居民医保今年个人缴费标准是多少？"))
    titles = [r["title"] for r in inline["results"]]
    assert titles[0] == "没有找到直接回答的段落，以下是最接近的" and len(titles) > 1


# --- filters typed in the question ---------------------------------------------------------

async def test_filters_typed_in_a_question_scope_the_answer(server: BotApiServer) -> None:
    by_place = await ask(server, 3020, "地:四川 研学旅行")
    # What the filter kept, and how many documents it left out for stating no place.
    assert "范围：四川省。另有 9 篇未注明地点的文件未计入。" in by_place["text"].splitlines()
    assert sources(by_place) and all("四川省" in s for s in sources(by_place))
    by_year = await ask(server, 3020, "年:2021 研学旅行", count=2)
    assert all(s.startswith("《2021年四川省") for s in sources(by_year))
    by_title = await ask(server, 3020, "文:推进会 教师队伍建设", count=3)
    assert "范围：标题含“推进会”" in by_title["text"]
    assert all(s.startswith(f"《{SCOPED_TITLE}》") for s in sources(by_title))
    # The next page keeps the filter.
    await press(server, 3020, by_title, button(by_title, "下一页"))
    page = await server.wait_edit(3020, by_title["message_id"])
    assert all(s.startswith(f"《{SCOPED_TITLE}》") for s in sources(page))


async def test_inline_mode_takes_filters_typed_in_the_query(server: BotApiServer) -> None:
    answer = await server.wait_inline_answer(
        await server.inline_query(user_id=3021, query="地:四川 研学旅行"))
    sent = [r["input_message_content"]["message_text"] for r in answer["results"]]
    assert sent and all("四川省" in text for text in sent)
    nothing = await server.wait_inline_answer(
        await server.inline_query(user_id=3021, query="“校长陪餐制度”"))
    assert [r["title"] for r in nothing["results"]] == [texts.INLINE_NOTHING_TITLE]
    assert texts.NO_ANSWER_TEXTS["phrase-absent"] in (
        nothing["results"][0]["input_message_content"]["message_text"])


# --- /sources: asking within one document --------------------------------------------------

async def test_sources_lists_documents_in_pages_with_a_button_each(
    server: BotApiServer, app: BotApplication
) -> None:
    documents = state_of(app).engines.documents()
    assert len(documents) > 10
    listing = await ask(server, 3030, "/sources")
    assert f"收录的文件（{len(documents)} 篇" in listing["text"]
    numbers = [int(n) for n in re.findall(r"^(\d+)\. 《", listing["text"], re.MULTILINE)]
    assert numbers == list(range(1, 11))
    assert [b["text"] for b in buttons(listing)][:10] == [str(n) for n in range(1, 11)]
    await press(server, 3030, listing, button(listing, "下一页"))
    second = await server.wait_edit(3030, listing["message_id"])
    numbers = [int(n) for n in re.findall(r"^(\d+)\. 《", second["text"], re.MULTILINE)]
    assert numbers == list(range(11, min(20, len(documents)) + 1))
    # Title, date, place and passages, as the index knows them.
    sichuan = documents[10]
    assert (f"11. 《{sichuan.title}》（{sichuan.date} · {sichuan.place}） — "
            f"{sichuan.passages} 段") in second["text"]
    assert "◀ 上一页" in [b["text"] for b in buttons(second)]


async def test_a_document_button_scopes_the_chat_until_cleared(
    server: BotApiServer, app: BotApplication
) -> None:
    user = 3031
    listing = await ask(server, user, "/sources")
    number = next(n for n, d in enumerate(state_of(app).engines.documents(), 1)
                  if d.title == SCOPED_TITLE)
    assert number <= 10  # on the first page
    await press(server, user, listing, button(listing, str(number)))
    chosen = (await server.wait_bot_messages(user, 2))[-1]
    assert f"只在《{SCOPED_TITLE}》中查找" in chosen["text"]
    scoped = await ask(server, user, "教师队伍建设", count=3)
    assert f"范围：《{SCOPED_TITLE}》" in scoped["text"]
    assert sources(scoped) and all(s.startswith(f"《{SCOPED_TITLE}》") for s in sources(scoped))
    # Another chat is not scoped by this one's choice.
    elsewhere = await ask(server, 3032, "教师队伍建设")
    assert len({s.split(" · ")[0] for s in sources(elsewhere)}) > 1
    # "取消范围" under the answer clears it.
    toast = await press(server, user, scoped, button(scoped, texts.CLEAR_SCOPE))
    assert toast["text"] == texts.SCOPE_CLEARED
    free = await ask(server, user, "教师队伍建设", count=4)
    assert "范围：" not in free["text"] and texts.CLEAR_SCOPE not in str(buttons(free))
    assert len({s.split(" · ")[0] for s in sources(free)}) > 1
    # /sources again also clears a chosen document, and says so.
    await press(server, user, listing, button(listing, str(number)))
    await server.wait_bot_messages(user, 5)
    again = await ask(server, user, "/sources", count=6)
    assert f"已取消范围《{SCOPED_TITLE}》" in again["text"]
    unscoped = await ask(server, user, "教师队伍建设", count=7)
    assert "范围：" not in unscoped["text"]


async def test_a_group_asks_within_its_chosen_document(
    server: BotApiServer, app: BotApplication
) -> None:
    chat = -3040
    listing = await ask(server, 3040, "/sources", chat_id=chat, chat_type="group")
    number = next(n for n, d in enumerate(state_of(app).engines.documents(), 1)
                  if d.title == SCOPED_TITLE)
    await press(server, 3041, listing, button(listing, str(number)), chat_id=chat)
    await server.wait_bot_messages(chat, 2)
    answer = await ask(server, 3042, "/ask 教师队伍建设", count=3, chat_id=chat,
                       chat_type="group")
    assert all(s.startswith(f"《{SCOPED_TITLE}》") for s in sources(answer))
    assert texts.CLEAR_SCOPE in [b["text"] for b in buttons(answer)]


# --- links to one quote --------------------------------------------------------------------

async def test_every_quote_links_to_itself_and_the_link_opens_it(server: BotApiServer) -> None:
    user = 3050
    answer = await ask(server, user, "课后服务怎么开展")
    links = entities(answer, "text_link")
    assert len(links) == len(quotes(answer)) == len(sources(answer))
    pattern = rf"https://t\.me/{server.bot_username}\?start=p_([0-9a-f]{{16}})"
    ids = [re.fullmatch(pattern, e["url"]).group(1) for _, e in links]  # type: ignore[union-attr]
    assert [text for text, _ in links] == sources(answer)  # the source line is the link
    opened = await ask(server, user, f"/start p_{ids[0]}", count=2)
    assert opened["text"].startswith("🔗 ")
    assert quotes(answer)[0].strip("…")[:20] in opened["text"]
    assert sources(answer)[0] in opened["text"]
    assert [e["url"] for _, e in entities(opened, "text_link")] == [links[0][1]["url"]]
    await press(server, user, opened, button(opened, "上下文"))
    context = (await server.wait_bot_messages(user, 3))[-1]
    assert context["text"].startswith("📖 上下文") and "（所引段落）" in context["text"]


async def test_an_unknown_quote_link_gets_a_clear_reply(server: BotApiServer) -> None:
    reply = await ask(server, 3051, "/start p_ffffffffffffffff")
    assert reply["text"] == texts.PASSAGE_NOT_FOUND


async def test_inline_quotes_carry_the_link_back(server: BotApiServer) -> None:
    answer = await server.wait_inline_answer(
        await server.inline_query(user_id=3052, query="立德树人"))
    for result in answer["results"]:
        text = result["input_message_content"]["message_text"]
        assert f'href="https://t.me/{server.bot_username}?start=p_{result["id"]}"' in text


# --- one bookkeeping for every way of asking -----------------------------------------------

async def test_questions_inline_and_pages_are_recorded_by_one_policy(
    server: BotApiServer, app: BotApplication
) -> None:
    stats = state_of(app).stats
    with LogCapture(logging.INFO).active() as logs:
        before = stats.questions
        answer = await ask(server, 3060, "教师队伍建设")
        await logs.awaited("event=answer", 1)  # recorded once delivered
        assert stats.questions == before + 1
        await press(server, 3060, answer, button(answer, "下一页"))
        await server.wait_edit(3060, answer["message_id"])
        await logs.awaited("event=answer", 2)
        assert stats.questions == before + 1  # a page is the same question
        first = await server.wait_inline_answer(
            await server.inline_query(user_id=3061, query="教师队伍建设"))
        await logs.awaited("event=answer", 3)
        assert stats.questions == before + 2
        await server.wait_inline_answer(await server.inline_query(
            user_id=3061, query="教师队伍建设", offset=first["next_offset"]))
        await logs.awaited("event=answer", 4)
        assert stats.questions == before + 2  # a further inline page, too
        await ask(server, 3062, "qwxz")
        await logs.awaited("event=answer", 5)
        assert stats.questions == before + 3
    kinds = [re.search(r"kind=(\w+)", r.getMessage()).group(1)  # type: ignore[union-attr]
             for r in logs.matching("event=answer")]
    assert kinds == ["question", "page", "inline", "inline", "question"]
    assert "answered=false" in logs.matching("event=answer")[-1].getMessage()
