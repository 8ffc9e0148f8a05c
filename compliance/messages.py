"""The engine's messages in the user's language: one catalogue of templates, English and Chinese.

The engine writes its messages in English (the command line's contract keeps English codes and
texts), built column-wise by concatenation, so a message is plain text by the time a page shows it.
Each template here is the English text with ``{placeholders}``; :func:`translate` matches a message
against the English templates and writes the Chinese one with the same values. A message the
catalogue does not know is shown as it is (a test walks every code the engine emits).

Why not gettext: its message ids are the literal strings a program formats, but the engine builds
a million messages at once with pandas' string concatenation, never through ``_()``; what a
translator needs is the same: one place with both texts side by side.

>>> translate("入职日期 (column D): cannot read '待定' as a date; The check character should be 9, not X", "zh")
'入职日期（D 列）：无法将“待定”识别为日期；校验码应为 9，而不是 X'
>>> translate("3 employees unregistered, longest 47 days past deadline", "zh")
'3 名员工未登记，最长逾期 47 天'
>>> translate("X may only be the last character; under 16 on the hire date (born 2009-06-03): Labour Law "
...           "Art. 15 forbids employing minors under 16", "zh")[:40]
'X 只能是最后一位；入职时未满16周岁（出生于 2009-06-03）：《劳动法'
"""

from __future__ import annotations

import functools
import re

import pandas as pd

# (English template, Chinese template). Placeholders match any text; their names say which words in
# them are translated too (``kind``: document kinds; ``label``: column labels).
TEMPLATES: list[tuple[str, str]] = [
    # ID numbers (compliance.ids, compliance.documents)
    ("No identity number given.", "未填写证件号码。"),
    ("Excel turned this number into scientific notation; digits are lost.",
     "Excel 把号码变成了科学计数法，后几位数字已丢失，请按文本重新录入。"),
    ("Stored as a number in Excel: digits after the 15th are lost; re-enter it as text.",
     "Excel 以数字格式保存了号码，第15位之后的数字已丢失，请按文本重新录入。"),
    ("Only digits and a final X are allowed; found {chars}", "只能包含数字和末位 X，发现了 {chars}"),
    ("Expected 18 characters (or 15 digits), got {n}", "身份号码应为18位（或15位一代证），实际为 {n} 位"),
    ("X may only be the last character", "X 只能是最后一位"),
    ("The check character should be {expected}, not {found}", "校验码应为 {expected}，而不是 {found}"),
    ("The birth date {date} in the number does not exist", "号码中的出生日期 {date} 不存在"),
    ("The birth date {date} lies before 1900: impossible", "号码中的出生日期 {date} 早于1900年，不可能"),
    ("The birth date {date} lies in the future", "号码中的出生日期 {date} 晚于今天"),
    ("Unknown province code {code}", "省级地址码 {code} 不存在"),
    ("A residence permit's address code is 810000, 820000 or 830000, not {code}",
     "港澳台居民居住证的地址码只能是 810000、820000 或 830000，而不是 {code}"),
    ("The nationality code {code} names no country (GB/T 2659)", "国籍代码 {code} 不对应任何国家（GB/T 2659）"),
    ("The nationality code {code} names no country (ISO 3166-1 alpha-3)",
     "国籍代码 {code} 不对应任何国家（ISO 3166-1 三字母代码）"),
    ("Region code {code} is not in the region table (a newer district?); the number stays valid",
     "地址码 {code} 不在行政区划表中（可能是新设区县），号码仍然有效"),
    ("The pre-2023 foreign permanent resident card: valid until it expires; only its nationality code can be checked",
     "旧版（2023年以前）外国人永久居留证：有效期内仍可使用，只能核对其国籍代码"),
    ("the file has no ID number column (身份证号)", "文件中没有身份证号列"),
    ("A {kind} number has 5 to 20 letters and digits; found {n} characters",
     "{kind}号码应为5至20位字母或数字，实际为 {n} 位"),
    ("The document type says {kind} but the number reads as {kind2}", "证件类型为{kind}，但号码是{kind2}的号码"),
    ("The social security number is assigned by the agency ({kind})", "社会保障号码由经办机构分配（{kind}）"),
    ("{kind} holder: no ID number to derive the social security number from; the agency assigns it at "
     "registration (MOHRSS Order No. 16, Art. 6)",
     "持{kind}人员没有可推出社会保障号码的身份号码，由经办机构在参保登记时分配（人社部令第16号第六条）"),
    # cells of a roster (compliance.registration)
    ("the file has no hire date column (入职日期)", "文件中没有入职日期列"),
    ("{label}: no hire date", "{label}：未填写入职日期"),
    ("{label}: cannot read '{value}' as a date", "{label}：无法将“{value}”识别为日期"),
    ("{label}: the work permit dated {date} is later than the hire date; the 30 days count from it "
     "(MOHRSS Order No. 16, Art. 4)",
     "{label}：工作许可日期 {date} 晚于入职日期，30日自该日起算（人社部令第16号第四条）"),
    ("under 16 on the hire date (born {date}): Labour Law Art. 15 forbids employing minors under 16",
     "入职时未满16周岁（出生于 {date}）：《劳动法》第十五条禁止招用未满十六周岁的未成年人"),
    ("{label}: '{value}' is not an employment type we know; treated as full-time (the 30-day duty stands)",
     "{label}：无法识别的用工形式“{value}”，按全日制处理（30日内登记的义务不变）"),
    ("{label}: '{value}' is not a card status the agency uses; counted as unknown",
     "{label}：无法识别的社保卡状态“{value}”，按“无法识别”统计"),
    ("{label}: '{value}' is not a document type we know; checked as a resident ID number",
     "{label}：无法识别的证件类型“{value}”，按居民身份证号码校验"),
    ("{label}: {n} characters, more than the {limit} the store keeps; the row is checked but not stored",
     "{label}：共 {n} 个字符，超过数据库可保存的 {limit} 个；该行已检查但不会保存"),
    ("{label}: holds a NUL character (U+0000), which the store cannot keep; the row is checked but not stored",
     "{label}：含有数据库无法保存的 NUL 字符（U+0000）；该行已检查但不会保存"),
    ("the employer USCC given for rosters without employer columns: {n} characters, more than the {limit} "
     "allowed; nothing was checked",
     "为无单位列的花名册填写的统一社会信用代码共 {n} 个字符，超过允许的 {limit} 个；未进行检查"),
    ("the employer name given for rosters without employer columns: {n} characters, more than the {limit} "
     "allowed; nothing was checked",
     "为无单位列的花名册填写的单位名称共 {n} 个字符，超过允许的 {limit} 个；未进行检查"),
    ("the employer USCC given for rosters without employer columns: holds a NUL character (U+0000); nothing "
     "was checked", "为无单位列的花名册填写的统一社会信用代码含有 NUL 字符（U+0000）；未进行检查"),
    ("the employer name given for rosters without employer columns: holds a NUL character (U+0000); nothing "
     "was checked", "为无单位列的花名册填写的单位名称含有 NUL 字符（U+0000）；未进行检查"),
    ("{label}: {date} lies after the as-of date {as_of}; counted as not registered on that date",
     "{label}：{date} 晚于核查日期 {as_of}，按当日尚未登记处理"),
    ("{label}: registered before the hire date (counts as on time)", "{label}：参保日期早于入职日期（按时登记）"),
    # who must be registered (compliance.employment)
    ("exempt: a re-employed retiree (退休返聘) is in a service relationship, not employment; no Art. 58 "
     "registration duty (SPC Interpretation (I) on Labour Disputes, Art. 32)",
     "无需单位登记：退休返聘人员与单位之间为劳务关系而非劳动关系，不适用第五十八条的登记义务"
     "（《最高人民法院关于审理劳动争议案件适用法律问题的解释（一）》第三十二条）"),
    ("exempt: a student intern (实习) has no employment relationship; no Art. 58 registration duty "
     "(劳部发〔1995〕309号 Art. 12)",
     "无需单位登记：在校学生实习不建立劳动关系，不适用第五十八条的登记义务（劳部发〔1995〕309号第十二条）"),
    ("exempt: a dispatched worker (劳务派遣) is registered by the dispatching agency, the employer in law "
     "(Interim Provisions on Labour Dispatch Art. 8)",
     "无需用工单位登记：被派遣劳动者由劳务派遣单位（法律上的用人单位）办理社会保险登记（《劳务派遣暂行规定》第八条）"),
    ("exempt: a service contract (劳务关系) is no employment relationship; no Art. 58 registration duty",
     "无需单位登记：劳务关系不是劳动关系，不适用第五十八条的登记义务"),
    # employers (compliance.employers)
    ("{n} employee unregistered, longest {days} day past deadline", "{n} 名员工未登记，最长逾期 {days} 天"),
    ("{n} employee unregistered, longest {days} days past deadline", "{n} 名员工未登记，最长逾期 {days} 天"),
    ("{n} employees unregistered, longest {days} day past deadline", "{n} 名员工未登记，最长逾期 {days} 天"),
    ("{n} employees unregistered, longest {days} days past deadline", "{n} 名员工未登记，最长逾期 {days} 天"),
    # cross-check (compliance.crosscheck)
    ("the roster gives a registration date; the registry has no record for this employer and person",
     "花名册填有参保日期，但登记系统中没有该单位该人员的记录"),
    ("the roster's date differs from the registry's by {n} days", "花名册的参保日期与登记系统相差 {n} 天"),
    ("the roster leaves the registration date blank; the registry has one", "花名册未填参保日期，登记系统中有记录"),
    ("registered by this employer in the registry, but not on any of its stored rosters",
     "登记系统显示该单位为其办理了参保登记，但该单位已存的花名册中没有此人"),
    ("on the rosters of {employers}", "同时出现在以下单位的花名册中：{employers}"),
    # files (compliance.rosters)
    ("{source}: the file is empty", "{source}：文件为空"),
    ("{source}: refused: a text cell holds {n} characters; the limit is {limit} per cell (Excel's own)",
     "{source}：已拒绝：有一个文本单元格含 {n} 个字符，超过每个单元格 {limit} 个字符的上限（Excel 本身的上限）"),
    ("{source}: row {row}, column {col} holds {n} characters; the limit is {limit} per cell (Excel's own)",
     "{source}：第 {row} 行 {col} 列含 {n} 个字符，超过每个单元格 {limit} 个字符的上限（Excel 本身的上限）"),
    ("{source}: refused: its text cells add up to {size} MB once each shared text is counted in every cell that "
     "shows it; the limit is {limit} MB",
     "{source}：已拒绝：各单元格的文本合计 {size} MB（共享文本按显示它的每个单元格计算），超过 {limit} MB 的上限"),
    ("{source}: {n} sheets; the limit is {limit} sheets per workbook",
     "{source}：共有 {n} 个工作表，超过每个工作簿 {limit} 个工作表的上限"),
    ("{source}: refused: two of its sheets are one part of the file (a crafted workbook; Excel never writes one)",
     "{source}：已拒绝：其中两个工作表是文件的同一部分（人为构造的工作簿，Excel 不会这样保存）"),
    ("{source}: not an Excel file (its content is not a workbook) and not a roster as text either; open it in "
     "Excel and save it as .xlsx",
     "{source}：不是 Excel 文件（内容不是工作簿），也不是文本格式的花名册；请用 Excel 打开后另存为 .xlsx"),
    ("{source}: not a text file (binary content); expected .xlsx, .xls or a CSV text file",
     "{source}：不是文本文件（二进制内容）；请上传 .xlsx、.xls 或 CSV 文本文件"),
    ("{source}: no header row found in the first {n} lines {rest}",
     "{source}：前 {n} 行中没有找到表头（需要“姓名”“身份证号”“入职日期”等列名）"),
    ("{source}: no header row found in the first {n} rows of any sheet {rest}",
     "{source}：各工作表的前 {n} 行中都没有找到表头（需要“姓名”“身份证号”“入职日期”等列名）"),
    ("{source}: damaged or truncated .xlsx (not a readable zip archive)", "{source}：.xlsx 文件已损坏或不完整"),
    ("{source}: malformed CSV{rest}", "{source}：CSV 格式有误{rest}"),
    ("{source}: {size} MB; the limit is {limit} MB per file", "{source}：{size} MB，超过每个文件 {limit} MB 的上限"),
    ("{source}: cannot be opened as a spreadsheet (damaged or unsupported content{rest}",
     "{source}：无法作为电子表格打开（文件损坏或内容不受支持）"),
    ("row {rows} is blank and was skipped", "第 {rows} 行为空行，已跳过"),
    ("rows {rows} are blank and were skipped", "第 {rows} 行为空行，已跳过"),
    ("sheet '{sheet}' has no recognisable header row and was not read", "工作表“{sheet}”没有可识别的表头，未读取"),
    ("column {col} ('{header}') repeats the {field} column {first}; the first one is used",
     "{col} 列（“{header}”）与 {first} 列重复（{field}），使用前一列"),
    # accounts (compliance.accounts; its sign-in messages are bilingual already)
    ("{employer} is not a valid unified social credit code ({detail})", "{employer} 不是有效的统一社会信用代码"),
    ("an hr user is bound to at least one employer (--employer USCC)", "人事角色的用户至少要绑定一个用人单位"),
    ("only hr users are bound to employers", "只有人事角色的用户绑定用人单位"),
    ("user {user} exists already", "用户 {user} 已存在"),
    ("no user {user}", "没有用户 {user}"),
    # cases (compliance.store)
    ("no case {case}", "没有编号为 {case} 的案件"),
    ("case {case} is {state}; it can move only to the next state, not {state2}",
     "案件 {case} 当前为 {state}，只能推进到下一状态，不能改为 {state2}"),
]
WORDS = {  # words inside placeholders and labels
    "passport": "护照", "travel permit": "往来通行证", "travel_permit": "往来通行证",
    "resident": "居民身份证", "hkmo tw permit": "港澳台居民居住证", "foreign permanent": "外国人永久居留身份证",
    "hire date": "入职日期", "registration date": "参保日期", "work permit date": "工作许可日期",
    "document type": "证件类型", "employment type": "用工形式", "card status": "社保卡状态",
    "open": "已立案", "notified": "已通知", "rectified": "已整改", "closed": "已结案",
    "employer_id": "统一社会信用代码", "employer_name": "单位名称", "name": "姓名", "card_bank": "发卡银行",
}
_COLUMN = re.compile(r" \(column ([A-Z]{1,3})\)")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.cache
def _compiled() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for english, chinese in TEMPLATES:
        parts = _PLACEHOLDER.split(english)  # literal, name, literal, name, …
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(parts))
        # a message ends where the text ends or where the next one starts after "; " (the engine's joiner;
        # templates contain "; " themselves, so the text is not simply split on it)
        out.append((re.compile(pattern + r"(?=; |\Z)", re.DOTALL), chinese))
    return out


def _word(value: str) -> str:
    return WORDS.get(value.strip(), value)


def _translated(message: str) -> list[str]:
    """The Chinese of each message joined in ``message``, left to right; unknown ones as they are."""
    out, pos = [], 0
    while pos < len(message):
        for pattern, chinese in _compiled():
            found = pattern.match(message, pos)
            if found:
                out.append(chinese.format(**{name: _word(value) for name, value in found.groupdict().items()}))
                pos = found.end()
                break
        else:  # not in the catalogue: up to the next joiner, unchanged
            end = message.find("; ", pos)
            end = len(message) if end < 0 else end
            out.append(message[pos:end])
            pos = end
        if message.startswith("; ", pos):
            pos += 2
    return out


_BILINGUAL = re.compile(r"(?P<zh>[^/]*[\u4e00-\u9fff][^/]*) / (?P<en>[^\u4e00-\u9fff]+)")


def translate(message: str | None, lang: str) -> str | None:
    """One message (or several joined by '; ') in ``lang``; English is the engine's own text. A message
    written in both languages ("密码错误 / Wrong password", the sign-in messages) gives the one asked for.

    >>> translate("用户名或密码错误 / Wrong username or password", "en")
    'Wrong username or password'
    """
    if isinstance(message, str) and (both := _BILINGUAL.fullmatch(message)):
        return both["en"] if lang == "en" else both["zh"]
    if message is None or lang != "zh" or not isinstance(message, str):
        return message
    return _COLUMN.sub(r"（\1 列）", "；".join(_translated(message)))


def translate_column(messages: pd.Series, lang: str) -> pd.Series:
    """:func:`translate` over a column, once per distinct message (a million rows hold few distinct ones)."""
    if lang != "zh" or messages.empty:
        return messages
    distinct = messages.dropna().unique()
    mapping = {m: translate(m, lang) for m in distinct}
    return messages.map(mapping).astype(messages.dtype if messages.dtype != object else "string")
