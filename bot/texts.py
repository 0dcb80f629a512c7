"""Fixed Chinese texts the bot sends, in one place so their tone stays consistent."""

from __future__ import annotations

import html

from .render import escape

DESCRIPTION = (
    "政策文件和讲话原文查询助手。输入问题或关键词，机器人从收录的文件中找出回答它的原文段落，"
    "逐字引用，标出关键词，并注明出处（文件、章节、段落）。"
)
SHORT_DESCRIPTION = "查政策文件和讲话原文：输入问题，返回逐字引文和出处。"

COMMANDS_PRIVATE = [
    ("ask", "提问，如 /ask 双减 课后服务"),
    ("sources", "查看收录的文件"),
    ("help", "使用说明和示例"),
]
COMMANDS_GROUP = [
    ("ask", "提问，如 /ask 双减 课后服务"),
    ("sources", "查看收录的文件"),
    ("help", "使用说明"),
]
COMMANDS_ADMIN = [
    ("reload", "重新加载文件并重建索引"),
    ("stats", "运行统计"),
]

EXAMPLES = ("课后服务怎么开展", "教师队伍建设", "双减 作业负担", "立德树人")


def help_text(bot_username: str) -> str:
    """The /help text: what the bot does, how to ask in each kind of chat, examples."""
    name = html.escape(bot_username, quote=False)
    examples = "\n".join(f"• {html.escape(e, quote=False)}" for e in EXAMPLES)
    return (
        "<b>政策文件原文查询</b>\n"
        "直接发送问题或关键词，我会从收录的文件和讲话中找出回答它的原文段落，"
        "逐字引用、标出关键词，并注明出处（文件 · 章节 · 第几段）。\n\n"
        f"<b>示例</b>\n{examples}\n\n"
        "<b>用法</b>\n"
        "• 私聊：直接输入问题\n"
        f"• 群聊：/ask 问题，或 @{name} 问题，或回复我的消息\n"
        f"• 任意聊天中输入 @{name} 关键词，可直接选取引文发送\n"
        "• 答案下方按钮：“上下文”看前后段落，“下一页”看更多结果\n"
        "• 点引文下的出处，得到这段原文的链接，可转发给别人，点开即见原文\n\n"
        "<b>限定范围</b>\n"
        "• 问题里写上年份或地区即可，如：2019年 经济增长目标、四川 新增就业\n"
        "• 也可写明筛选：年:2019、年:2015-2019、地:四川、文:政府工作报告"
        "（或 year: place: doc:），如：年:2019 地:四川 就业\n"
        "• 查提法：把词语放在引号里，如：“新质生产力”，只列出原文含这几个字的段落并计数\n"
        "• /sources 列出收录的文件，按编号只在那篇中提问；按“取消范围”恢复\n\n"
        "/sources 查看收录的文件　/help 查看本说明"
    )


def start_text(first_name: str, bot_username: str) -> str:
    greeting = f"您好，{escape(first_name)}！" if first_name else "您好！"
    return greeting + "\n\n" + help_text(bot_username)


ASK_USAGE = "请在命令后写上问题，例如：/ask 课后服务怎么开展"
QUESTION_TOO_LONG = "问题太长了（超过 {limit} 字），请只保留关键内容再问。"
NOT_TEXT = "目前只能回答文字提问，请直接输入问题或关键词。"
UNKNOWN_COMMAND = "没有这个命令。直接输入问题即可，用法见 /help。"
REFUSAL = "抱歉，本机器人仅供授权用户使用。如需开通，请联系管理员。"
RATE_LIMITED = "提问太频繁了，请 {seconds} 秒后再试。"
ADMIN_ONLY = "只有管理员可以使用这个命令。"
ERROR = "抱歉，处理时出了点问题，请稍后再试。"
BUTTON_EXPIRED = "这个按钮已失效，请重新提问。"
CLEAR_SCOPE = "取消范围"
SCOPE_CLEARED = "已取消范围，现在在全部文件中查找。"
SCOPE_ALREADY_CLEAR = "现在没有限定范围。"
DOCUMENT_GONE = "这篇文件已不在当前索引中，请重新发送 /sources。"
PASSAGE_NOT_FOUND = (
    "找不到这段原文：链接可能有误，或文件已更新。请直接输入问题查找。"
)
NO_MORE_RESULTS = "没有更多结果了。"
BUTTON_BUSY = "操作太频繁，请稍后再试。"
PASSAGE_GONE = "这段原文已不在当前索引中（文件可能已更新），请重新提问。"
RELOAD_STARTED = "正在重新加载文件并重建索引……"
RELOAD_BUSY = "已经在重建索引了，请稍候。"
RELOAD_FAILED = "重建失败，继续使用原来的索引。错误已记录在日志中。"
INLINE_HINT_TITLE = "输入关键词，查找文件原文"
INLINE_HINT_DESCRIPTION = "例如：课后服务、教师队伍建设、双减"
INLINE_BUTTON = "使用说明"
INLINE_NOTHING_TITLE = "没有找到相关原文"

# Uploads of corpus files by admins (bot/handlers/documents.py).
UPLOAD_ADMIN_ONLY = "只有管理员可以上传文件。如需收录新的文件，请交给管理员。"
UPLOAD_DISABLED = "上传文件的功能未开启（配置项 uploads.enabled）。"
UPLOAD_WRONG_TYPE = "不支持这种文件（{ext}）。请发送 {allowed} 格式的文件。"
UPLOAD_TOO_LARGE = "文件太大（{size}），上限是 {limit}。请拆分后分别发送。"
UPLOAD_RECEIVED = "已收到 {name}，正在保存并更新索引……"
UPLOAD_DOWNLOAD_FAILED = "下载文件失败（{reason}），请重新发送。"
UPLOAD_EMPTY = "没有收录：文件里没有文字。"
UPLOAD_DUPLICATE = "没有收录：内容与已收录的 {name} 完全相同。"
UPLOAD_REFUSED = "没有收录：{reason}。"
UPLOAD_REJECTED = "没有收录 {name}：{reason}。文件已删除。"
UPLOAD_INDEX_FAILED = (
    "文件已保存为 {name}，但更新索引失败，继续使用原来的索引。错误已记录在日志中，"
    "可稍后发送 /reload 重试。"
)
UPLOAD_RENAMED = "（文件名已改为 {name}）"
UPLOAD_FAILED = "处理文件时出错，没有收录。错误已记录在日志中。"

# Feedback buttons under answers (bot/handlers/feedback.py).
FEEDBACK_UP = "👍 有帮助"
FEEDBACK_DOWN = "👎 没帮助"
FEEDBACK_THANKS = {1: "感谢反馈：有帮助 👍", -1: "感谢反馈：没帮助 👎，我们会改进。"}
FEEDBACK_CHANGED = {1: "已改为：有帮助 👍", -1: "已改为：没帮助 👎"}
FEEDBACK_SAME = "已经记录过了，谢谢。"
FEEDBACK_FAILED = "暂时无法记录反馈，请稍后再试。"

# Why nothing answers (Answer.reason), said to the asker in the terminal and in Telegram: each
# case tells what to do next, instead of one "not found" for an empty box and a typo alike.
NO_ANSWER_TEXTS: dict[str, str] = {
    "empty": "请输入一个问题或几个关键词。",
    "no-terms": "这个问题里没有可以检索的词语。请输入关键词，例如：教师队伍建设、课后服务。",
    "not-chinese": "收录的文件都是中文，请用中文提问，例如：教师队伍建设有哪些要求？",
    "no-match": "语料中没有找到能回答这个问题的内容。可以换个说法，或用更少、更具体的关键词再试。",
    "phrase-absent": "这个提法在语料中没有出现。",
    "scope-unmatched": "语料中没有符合所指年份、地区或标题的文件。可以去掉这些限定再试。",
}
# The engine's note says why a filter matched nothing: the reason is then only this hint.
SCOPE_HINT = "可以去掉这些限定再试。"

# Said after the reason when the asker may simply not know what the corpus holds.
NO_ANSWER_TIP = "发送 /sources 看看收录了哪些文件。"
TIP_REASONS = frozenset({"no-match", "no-terms"})


def no_answer_text(reason: str | None, note: str | None = None) -> str:
    """The text for an Answer.reason (an unknown or missing one reads as "no-match"). A filter
    that matched nothing is explained by the engine's `note` alone: one sentence, not two."""
    if reason == "scope-unmatched" and note:
        return f"{note} {SCOPE_HINT}" if SCOPE_HINT[:4] not in note else note
    key = reason if reason in NO_ANSWER_TEXTS else "no-match"
    text = NO_ANSWER_TEXTS[key]
    return f"{text}\n{NO_ANSWER_TIP}" if key in TIP_REASONS else text
