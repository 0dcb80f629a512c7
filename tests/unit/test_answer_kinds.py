"""The kind of answer a question asks for, and the passages that show one."""

from __future__ import annotations

from retrieval.answer_kinds import holds_kind, kinds_asked


def test_kinds_a_question_asks_for() -> None:
    assert kinds_asked("进口捐赠物资通关有疑问，海关咨询热线是多少？") == ("phone", "count")
    assert kinds_asked("铜川608路公交几点到几点运营？") == ("time",)
    assert kinds_asked("首批清单有多少个事项？") == ("count",)
    assert kinds_asked("教师队伍建设有哪些要求？") == ()
    assert kinds_asked("拿来作对比的外地名校是哪几所？") == ()  # which ones, not how many


def test_passages_that_show_a_kind() -> None:
    assert holds_kind("可拨打海关咨询热线电话12360。", ("phone",))
    assert holds_kind("预约电话：0523-86512345", ("phone",))
    # A year, an amount or a count is no phone number.
    for text in ("2020年全年安排50000元补助。", "新增就业1200万人。", "第3.5条"):
        assert not holds_kind(text, ("phone",))
    assert holds_kind("二、运营时间 7:00-19:00。", ("time",))
    assert holds_kind("自2020年2月14日10时起实行。", ("time",))
    assert not holds_kind("一、运营线路 公交608路（学府城—马额）。", ("time",))
    assert holds_kind("本期将1000个进厅事项纳入清单。", ("count",))
    assert not holds_kind("推行零见面审批。", ("count", "time"))


def test_the_passage_with_the_number_answers_a_question_asking_for_it(notice_engine) -> None:
    engine = notice_engine("关于进口捐赠物资办理通关手续的公告\n"
                           "为确保进口捐赠物资快速通关，海关开设专门窗口办理。\n"
                           "有疑问的，可拨打海关热线12360咨询。\n")
    answer = engine.ask("进口捐赠物资通关的咨询热线")
    assert answer.answered and "12360" in answer.results[0].text
    # The BM25 score stays rank_bm25's: the passage naming the notice scores higher.
    assert answer.results[0].score < answer.results[1].score
