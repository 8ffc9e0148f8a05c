"""Every message the engine writes: one table of code → (English template, Chinese template).

A problem is a code plus its parameters (as pandera's failure cases and python-stdnum's exceptions
are); text is made from it at the edge. The engine writes English column-wise from the English
template (the command line's contract keeps English texts, shared README section 7) and keeps the
structure beside the text, so a page renders Chinese without parsing English back. Adding a rule's
message is one entry here.

Templates hold ``{name}`` (the value as it is), ``{name:spec}`` (a Python format spec, ``{n:,}``),
``{name@table}`` (a code shown through a word table of :data:`WORDS`: document kinds, column labels)
and ``{name|one|many}`` (the English word for a count of one or more). A key names a message; for
most it is the problems table's ``code`` too; where one code has variants (``id_format``: a bad
character or an X in the middle) the key names the variant.

Structure columns: beside each message column ``c`` a frame may hold ``c_coded`` (:data:`SUFFIX`), a
compact JSON list of ``[key, {params}]`` per row, NA where there is no message. :func:`localise`
renders the message columns in a language from it and drops it.

>>> render("id_checksum", "zh", expected="X", found="1")
'校验码应为 X，而不是 1'
>>> render("overdue_employees", "en", n=1, days=3)
'1 employee unregistered, longest 3 days past deadline'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

SUFFIX = "_coded"  # the structure column beside a message column
JOINER = {"en": "; ", "zh": "；"}  # between the messages of one cell

_ID = {  # ID numbers (compliance.ids, compliance.documents): the id_problem and id_warning columns
    "id_missing": ("No identity number given.", "未填写证件号码。"),
    "id_column_missing": ("the file has no ID number column (身份证号)", "文件中没有身份证号列"),
    "id_scientific": ("Excel turned this number into scientific notation; digits are lost.",
                      "Excel 把号码变成了科学计数法，后几位数字已丢失，请按文本重新录入。"),
    "id_number_cell": ("Stored as a number in Excel: digits after the 15th are lost; re-enter it as text.",
                       "Excel 以数字格式保存了号码，第15位之后的数字已丢失，请按文本重新录入。"),
    "id_format": ("Only digits and a final X are allowed; found '{chars}'", "只能包含数字和末位 X，发现了“{chars}”"),
    "id_format_x": ("X may only be the last character", "X 只能是最后一位"),
    "id_length": ("Expected 18 characters (or 15 digits), got {n}", "身份号码应为18位（或15位一代证），实际为 {n} 位"),
    "id_checksum": ("The check character should be {expected}, not {found}", "校验码应为 {expected}，而不是 {found}"),
    "id_birth_date": ("The birth date {date} in the number does not exist", "号码中的出生日期 {date} 不存在"),
    "id_birth_before_1900": ("The birth date {date} lies before 1900: impossible",
                             "号码中的出生日期 {date} 早于1900年，不可能"),
    "id_birth_future": ("The birth date {date} lies in the future", "号码中的出生日期 {date} 晚于今天"),
    "id_province": ("Unknown province code {code}", "省级地址码 {code} 不存在"),
    "id_permit_address": ("A residence permit's address code is 810000, 820000 or 830000, not {code}",
                          "港澳台居民居住证的地址码只能是 810000、820000 或 830000，而不是 {code}"),
    "id_nationality": ("The nationality code {code} names no country (GB/T 2659)",
                       "国籍代码 {code} 不对应任何国家（GB/T 2659）"),
    "id_nationality_alpha3": ("The nationality code {code} names no country (ISO 3166-1 alpha-3)",
                              "国籍代码 {code} 不对应任何国家（ISO 3166-1 三字母代码）"),
    "id_region_unknown": ("Region code {code} is not in the region table (a newer district?); the number stays valid",
                          "地址码 {code} 不在行政区划表中（可能是新设区县），号码仍然有效"),
    "id_old_pr_card": ("The pre-2023 foreign permanent resident card: valid until it expires; only its nationality "
                       "code can be checked",
                       "旧版（2023年以前）外国人永久居留证：有效期内仍可使用，只能核对其国籍代码"),
    "id_document_format": ("A {kind@doc} number has 5 to 20 letters and digits; found {n} characters",
                           "{kind@doc}号码应为5至20位字母或数字，实际为 {n} 位"),
    "id_type_mismatch": ("The document type says {declared@doc} but the number reads as {read@doc}",
                         "证件类型为{declared@doc}，但号码是{read@doc}的号码"),
    "ssn_agency_note": ("The social security number is assigned by the agency ({kind@doc})",
                        "社会保障号码由经办机构分配（{kind@doc}）"),
}
_ROW = {  # a roster's cells and their judgement (compliance.registration): the problem column
    "id_type_unknown": ("{label@label}: '{value}' is not a document type we know; checked as a resident ID number",
                        "{label@label}：无法识别的证件类型“{value}”，按居民身份证号码校验"),
    "hire_date_column_missing": ("the file has no hire date column (入职日期)", "文件中没有入职日期列"),
    "hire_date_missing": ("{label@label}: no hire date", "{label@label}：未填写入职日期"),
    "date_unreadable": ("{label@label}: cannot read '{value}' as a date", "{label@label}：无法将“{value}”识别为日期"),
    "work_permit_later": ("{label@label}: the work permit dated {date} is later than the hire date; the 30 days "
                          "count from it (MOHRSS Order No. 16, Art. 4)",
                          "{label@label}：工作许可日期 {date} 晚于入职日期，30日自该日起算（人社部令第16号第四条）"),
    "under_16": ("under 16 on the hire date (born {date}): Labour Law Art. 15 forbids employing minors under 16",
                 "入职时未满16周岁（出生于 {date}）：《劳动法》第十五条禁止招用未满十六周岁的未成年人"),
    "employment_type_unknown": ("{label@label}: '{value}' is not an employment type we know; treated as full-time "
                                "(the 30-day duty stands)",
                                "{label@label}：无法识别的用工形式“{value}”，按全日制处理（30日内登记的义务不变）"),
    "card_status_unknown": ("{label@label}: '{value}' is not a card status the agency uses; counted as unknown",
                            "{label@label}：无法识别的社保卡状态“{value}”，按“无法识别”统计"),
    "value_too_long": ("{label@label}: {n} characters, more than the {limit} the store keeps; the row is checked but "
                       "not stored",
                       "{label@label}：共 {n} 个字符，超过数据库可保存的 {limit} 个；该行已检查但不会保存"),
    "value_unstorable": ("{label@label}: holds a NUL character (U+0000), which the store cannot keep; the row is "
                         "checked but not stored",
                         "{label@label}：含有数据库无法保存的 NUL 字符（U+0000）；该行已检查但不会保存"),
    "employer_missing": ("{label@label}: no employer (统一社会信用代码) on this row; the row is checked but not stored",
                         "{label@label}：该行没有用人单位（统一社会信用代码）；该行已检查但不会保存"),
    "ssn_assigned_by_agency": ("{kind@doc} holder: no ID number to derive the social security number from; the "
                               "agency assigns it at registration (MOHRSS Order No. 16, Art. 6)",
                               "持{kind@doc}人员没有可推出社会保障号码的身份号码，由经办机构在参保登记时分配"
                               "（人社部令第16号第六条）"),
    "registration_after_as_of": ("{label@label}: {date} lies after the as-of date {as_of}; counted as not "
                                 "registered on that date",
                                 "{label@label}：{date} 晚于核查日期 {as_of}，按当日尚未登记处理"),
    "registration_before_hire": ("{label@label}: registered before the hire date (counts as on time)",
                                 "{label@label}：参保日期早于入职日期（按时登记）"),
    # who must be registered (compliance.employment): the reasons of the exempt status
    "exempt_retired": ("exempt: a re-employed retiree (退休返聘) is in a service relationship, not employment; no "
                       "Art. 58 registration duty (SPC Interpretation (I) on Labour Disputes, Art. 32)",
                       "无需单位登记：退休返聘人员与单位之间为劳务关系而非劳动关系，不适用第五十八条的登记义务"
                       "（《最高人民法院关于审理劳动争议案件适用法律问题的解释（一）》第三十二条）"),
    "exempt_intern": ("exempt: a student intern (实习) has no employment relationship; no Art. 58 registration duty "
                      "(劳部发〔1995〕309号 Art. 12)",
                      "无需单位登记：在校学生实习不建立劳动关系，不适用第五十八条的登记义务（劳部发〔1995〕309号第十二条）"),
    "exempt_dispatched": ("exempt: a dispatched worker (劳务派遣) is registered by the dispatching agency, the "
                          "employer in law (Interim Provisions on Labour Dispatch Art. 8)",
                          "无需用工单位登记：被派遣劳动者由劳务派遣单位（法律上的用人单位）办理社会保险登记"
                          "（《劳务派遣暂行规定》第八条）"),
    "exempt_service": ("exempt: a service contract (劳务关系) is no employment relationship; no Art. 58 "
                       "registration duty", "无需单位登记：劳务关系不是劳动关系，不适用第五十八条的登记义务"),
    # the employer typed for rosters without employer columns (registration.employer_problem)
    "employer_given_too_long": ("the {field@given} given for rosters without employer columns: {n} characters, more "
                                "than the {limit} allowed; nothing was checked",
                                "为无单位列的花名册填写的{field@given}共 {n} 个字符，"
                                "超过允许的 {limit} 个；未进行检查"),
    "employer_given_unstorable": ("the {field@given} given for rosters without employer columns: holds a NUL "
                                  "character (U+0000); nothing was checked",
                                  "为无单位列的花名册填写的{field@given}含有 NUL 字符（U+0000）；未进行检查"),
}
_SUMMARY = {  # employers (compliance.employers) and the cross-check (compliance.crosscheck)
    "overdue_employees": ("{n} {n|employee|employees} unregistered, longest {days} {days|day|days} past deadline",
                          "{n} 名员工未登记，最长逾期 {days} 天"),
    "not_in_registry": ("the roster gives a registration date; the registry has no record for this employer and "
                        "person", "花名册填有参保日期，但登记系统中没有该单位该人员的记录"),
    "date_mismatch": ("the roster's date differs from the registry's by {days} days",
                      "花名册的参保日期与登记系统相差 {days} 天"),
    "roster_date_missing": ("the roster leaves the registration date blank; the registry has one",
                            "花名册未填参保日期，登记系统中有记录"),
    "not_in_roster": ("registered by this employer in the registry, but not on any of its stored rosters",
                      "登记系统显示该单位为其办理了参保登记，但该单位已存的花名册中没有此人"),
    "multiple_employers": ("on the rosters of {employers}", "同时出现在以下单位的花名册中：{employers}"),
}
_FILE = {  # files (compliance.rosters): RosterError and the notes of a file
    "file_not_found": ("{source}: file not found", "{source}：文件不存在"),
    "file_unreadable": ("{source}: cannot be read ({reason})", "{source}：无法读取（{reason}）"),
    "file_empty": ("{source}: the file is empty", "{source}：文件为空"),
    "file_too_large": ("{source}: {size:,.0f} MB; the limit is {limit:,.0f} MB per file",
                       "{source}：{size:,.0f} MB，超过每个文件 {limit:,.0f} MB 的上限"),
    "no_roster_file": ("{source}: no roster file given (.xlsx, .xls or .csv)",
                       "{source}：没有给出花名册文件（.xlsx、.xls 或 .csv）"),
    "skipped_folder": ("{source}: skipped, a folder", "{source}：是文件夹，已跳过"),
    "skipped_not_roster": ("{source}: skipped, not a roster file ({suffixes})",
                           "{source}：不是花名册文件（{suffixes}），已跳过"),
    "not_text": ("{source}: not a text file (binary content); expected .xlsx, .xls or a CSV text file",
                 "{source}：不是文本文件（二进制内容）；请上传 .xlsx、.xls 或 CSV 文本文件"),
    "not_excel_nor_text": ("{source}: not an Excel file (its content is not a workbook) and not a roster as text "
                           "either; open it in Excel and save it as .xlsx",
                           "{source}：不是 Excel 文件（内容不是工作簿），"
                           "也不是文本格式的花名册；请用 Excel 打开后另存为 .xlsx"),
    "too_many_lines": ("{source}: {lines:,} lines; the limit is {limit:,} rows per file",
                       "{source}：共 {lines:,} 行，超过每个文件 {limit:,} 行的上限"),
    "too_many_fields": ("{source}: a row has {fields:,} fields; the limit is {limit:,} columns",
                        "{source}：有一行含 {fields:,} 个字段，超过 {limit:,} 列的上限"),
    "no_header_csv": ("{source}: no header row found in the first {n} lines (expected columns such as 姓名, 身份证号, "
                      "入职日期)", "{source}：前 {n} 行中没有找到表头（需要“姓名”“身份证号”“入职日期”等列名）"),
    "no_header_sheets": ("{source}: no header row found in the first {n} rows of any sheet (expected columns such as "
                         "姓名, 身份证号, 入职日期)",
                         "{source}：各工作表的前 {n} 行中都没有找到表头（需要“姓名”“身份证号”“入职日期”等列名）"),
    "csv_quote_open": ("{source}: malformed CSV: a quote opened is never closed",
                       "{source}：CSV 格式有误：有一个引号没有闭合"),
    "csv_quote_open_at": ("{source}: malformed CSV: a quote opened on line {line} is never closed",
                          "{source}：CSV 格式有误：第 {line} 行的引号没有闭合"),
    "csv_malformed": ("{source}: malformed CSV ({reason})", "{source}：CSV 格式有误（{reason}）"),
    "xlsx_damaged": ("{source}: damaged or truncated .xlsx (not a readable zip archive)",
                     "{source}：.xlsx 文件已损坏或不完整"),
    "xlsx_zip_mismatch": ("{source}: damaged .xlsx: its zip data does not match its headers (a part is larger than "
                          "its declared size, or corrupt)", "{source}：.xlsx 文件已损坏：压缩数据与文件头不符"),
    "zip_bomb": ("{source}: refused: it would expand to {size:,.0f} MB ({ratio:,.0f}× its size), which looks like a "
                 "zip bomb", "{source}：已拒绝：解压后将达 {size:,.0f} MB（为原文件的 {ratio:,.0f} 倍），疑似压缩炸弹"),
    "shared_strings_bomb": ("{source}: refused: its shared strings expand beyond {limit:,.0f} MB (a zip bomb?)",
                            "{source}：已拒绝：共享文本解压后超过 {limit:,.0f} MB（疑似压缩炸弹）"),
    "sheets_bomb": ("{source}: refused: its sheets expand beyond {limit:,.0f} MB (a zip bomb?)",
                    "{source}：已拒绝：工作表解压后超过 {limit:,.0f} MB（疑似压缩炸弹）"),
    "sheet_extent": ("{source}: a sheet reaches row {rows:,} and column {column}; the limits are {max_rows:,} rows, "
                     "{max_columns:,} columns and {max_cells:,} cells per sheet",
                     "{source}：有工作表达到第 {rows:,} 行、第 {column} 列，超过每个工作表 {max_rows:,} 行、"
                     "{max_columns:,} 列、{max_cells:,} 个单元格的上限"),
    "sheet_too_big": ("{source}: sheet '{sheet}' has {rows:,} rows × {columns:,} columns; the limits are "
                      "{max_rows:,} rows and {max_columns:,} columns",
                      "{source}：工作表“{sheet}”共 {rows:,} 行 × {columns:,} 列，"
                      "超过 {max_rows:,} 行、{max_columns:,} 列的上限"),
    "cell_too_long": ("{source}: refused: a text cell holds {chars:,} characters; the limit is {limit:,} per cell "
                      "(Excel's own)",
                      "{source}：已拒绝：有一个文本单元格含 {chars:,} 个字符，"
                      "超过每个单元格 {limit:,} 个字符的上限（Excel 本身的上限）"),
    "cell_too_long_at": ("{source}: row {row:,}, column {column} holds {chars:,} characters; the limit is {limit:,} "
                         "per cell (Excel's own)",
                         "{source}：第 {row:,} 行 {column} 列含 {chars:,} 个字符，超过每个单元格 {limit:,} 个字符的上限"
                         "（Excel 本身的上限）"),
    "text_too_large": ("{source}: refused: its text cells add up to {size:,.0f} MB once each shared text is counted "
                       "in every cell that shows it; the limit is {limit:,.0f} MB",
                       "{source}：已拒绝：各单元格的文本合计 {size:,.0f} MB（共享文本按显示它的每个单元格计算），"
                       "超过 {limit:,.0f} MB 的上限"),
    "too_many_sheets": ("{source}: {sheets:,} sheets; the limit is {limit:,} sheets per workbook",
                        "{source}：共有 {sheets:,} 个工作表，超过每个工作簿 {limit:,} 个工作表的上限"),
    "sheets_one_part": ("{source}: refused: two of its sheets are one part of the file (a crafted workbook; Excel "
                        "never writes one)",
                        "{source}：已拒绝：其中两个工作表是文件的同一部分（人为构造的工作簿，Excel 不会这样保存）"),
    "read_timeout": ("{source}: reading took longer than {seconds} s and was stopped",
                     "{source}：读取超过 {seconds} 秒，已停止"),
    "reader_stopped": ("{source}: the spreadsheet reader stopped on this file: damaged, or over the reader's limits "
                       "({memory:.0f} GB of memory)",
                       "{source}：电子表格读取程序在此文件上中止：文件已损坏，"
                       "或超出读取程序的限制（{memory:.0f} GB 内存）"),
    "not_a_spreadsheet": ("{source}: cannot be opened as a spreadsheet (damaged or unsupported content: {reason})",
                          "{source}：无法作为电子表格打开（文件损坏或内容不受支持：{reason}）"),
    # notes on a file (the problems table's file_note rows)
    "blank_rows": ("{count|row|rows} {rows} {count|is blank and was|are blank and were} skipped",
                   "第 {rows} 行为空行，已跳过"),
    "sheet_skipped": ("sheet '{sheet}' has no recognisable header row and was not read",
                      "工作表“{sheet}”没有可识别的表头，未读取"),
    "column_repeated": ("column {column} ('{header}') repeats the {field} column {first}; the first one is used",
                        "{column} 列（“{header}”）与 {first} 列重复（{field@label}），使用前一列"),
    "encoding_replaced": ("{n} invalid UTF-8 byte sequence(s) are shown as '�'",
                          "有 {n} 处无效的 UTF-8 字节，显示为“�”"),
    "encoding_unknown": ("some bytes are neither UTF-8 nor GBK; they are shown as '�'",
                         "部分字节既不是 UTF-8 也不是 GBK 编码，显示为“�”"),
}
_OTHER = {  # accounts (compliance.accounts) and cases (compliance.store): ``ShebaoError.coded(key, …)``
    "sign_in_failed": ("Wrong username or password", "用户名或密码错误"),
    "sign_in_busy": ("The server is busy: try again in a moment", "服务器繁忙，请稍后再试"),
    "locked": ("Too many attempts: try again in 15 minutes", "尝试次数过多，请15分钟后再试"),
    "username_invalid": ("A username is 1-64 lower-case ASCII letters, digits, '.', '_' or '-'",
                         "用户名只能由1-64个小写英文字母、数字和 . _ - 组成"),
    "password_too_short": ("The password needs at least 12 characters", "密码至少需要12个字符"),
    "password_too_long": ("The password can have at most 256 characters", "密码最多256个字符"),
    "password_blank": ("The password cannot be whitespace only", "密码不能只有空白字符"),
    "password_format_characters": ("The password must not contain invisible format characters such as a "
                                   "zero-width space", "密码不能包含零宽空格等不可见的格式字符"),
    "password_has_username": ("The password must not contain the username", "密码不能包含用户名"),
    "password_common": ("This is a common password: choose another", "这是常见密码，请另选一个"),
    "password_unchanged": ("The new password must differ from the current one", "新密码不能与当前密码相同"),
    "password_changed_meanwhile": ("The password was changed meanwhile: try again", "密码刚刚已被修改，请重试"),
    "unknown_role": ("unknown role {role}; expected one of {roles}", "未知角色 {role}，可选：{roles}"),
    "employer_invalid": ("{employer} is not a valid unified social credit code ({detail})",
                         "{employer} 不是有效的统一社会信用代码"),
    "hr_without_employer": ("an hr user is bound to at least one employer (--employer USCC)",
                            "人事角色的用户至少要绑定一个用人单位"),
    "employer_not_hr": ("only hr users are bound to employers", "只有人事角色的用户绑定用人单位"),
    "user_exists": ("user {user} exists already", "用户 {user} 已存在"),
    "no_user": ("no user {user}", "没有用户 {user}"),
    # worksheet notes (compliance.premiums.worksheet_notes)
    "late_fee_day_after_due": ("{months}: late fee 0.05% of the unpaid premiums per day from the day after the "
                               "due date (Social Insurance Law Art. 86)",
                               "滞纳金规则：{months} 按日加收欠缴保费万分之五，自应缴日次日起算"
                               "（《社会保险法》第八十六条）。"),
    "fee_above_principal": ("{rows} month row(s) have a late fee above the premiums; not capped (whether "
                            "Administrative Enforcement Law Art. 45 caps it is disputed)",
                            "{rows} 个月份的滞纳金超过应缴保费；未封顶（《行政强制法》第四十五条是否适用于社会保险费"
                            "滞纳金存在争议，请核定人员判断）。"),
    "unconfirmed_figures": ("{months}: unconfirmed figures: {keys} (see the parameter file)",
                            "注意：{months} 的以下参数未能从公开来源核实：{keys}。"),
    "unknown_case_state": ("unknown case state {state}; expected one of {states}",
                           "未知的案件状态 {state}，可选：{states}"),
    "no_case": ("no case {case}", "没有编号为 {case} 的案件"),
    "case_next_state": ("case {case} is {state@state}; it can move only to the next state, not {state2@state}",
                        "案件 {case} 当前为 {state@state}，只能推进到下一状态，不能改为 {state2@state}"),
}
MESSAGES: dict[str, tuple[str, str]] = {**_ID, **_ROW, **_SUMMARY, **_FILE, **_OTHER}

# Words inside parameters: a code → (English, Chinese). Labels are a cell's header as the file has it
# ("入职日期 (column D)"), or the field's name in English when the file has no such column.
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "doc": {"passport": ("passport", "护照"), "travel_permit": ("travel permit", "往来通行证"),
            "resident": ("resident", "居民身份证"), "hkmo_tw_permit": ("hkmo tw permit", "港澳台居民居住证"),
            "foreign_permanent": ("foreign permanent", "外国人永久居留身份证")},
    "label": {w: (w, zh) for w, zh in {
        "hire date": "入职日期", "registration date": "参保日期", "work permit date": "工作许可日期",
        "document type": "证件类型", "employment type": "用工形式", "card status": "社保卡状态",
        "employer_id": "统一社会信用代码", "employer_name": "单位名称", "name": "姓名", "card_bank": "发卡银行",
        "id_number": "身份证号", "hire_date": "入职日期", "registration_date": "参保日期",
        "ssn": "社会保障号码"}.items()},
    "given": {"employer USCC": ("employer USCC", "统一社会信用代码"), "employer name": ("employer name", "单位名称")},
    "state": {"open": ("open", "已立案"), "notified": ("notified", "已通知"), "rectified": ("rectified", "已整改"),
              "closed": ("closed", "已结案")},
}
_PLACEHOLDER = re.compile(r"\{(\w+)(?:@(\w+)|:([^}|]*)|\|([^|}]*)\|([^}]*))?\}")
_COLUMN = re.compile(r"^(.*) \(column ([A-Z]{1,3})\)$", re.DOTALL)


def word(table: str, value: object, lang: str) -> str:
    """``value`` through a word table in ``lang``; a value the table lacks as it is (a label in Chinese:
    "入职日期 (column D)" → "入职日期（D 列）")."""
    text = "" if value is None else str(value)
    found = WORDS[table].get(text)
    if found is not None:
        return found[0 if lang == "en" else 1]
    if table == "label" and lang == "zh" and (column := _COLUMN.match(text)):
        return f"{column[1]}（{column[2]} 列）"
    return text


def render(code: str, lang: str, /, **params: object) -> str:
    """One message in ``lang`` ("en" or "zh") from its key and parameters."""
    template = MESSAGES[code][0 if lang == "en" else 1]

    def piece(m: re.Match[str]) -> str:
        name, table, spec, one, many = m.groups()
        value = params.get(name)
        if one is not None:
            return one if str(value) == "1" else many
        if table:
            return word(table, value, lang)
        if spec:
            return _formatted(value, spec)
        return "" if value is None else str(value)

    return _PLACEHOLDER.sub(piece, template)


def _formatted(value: object, spec: str) -> str:
    """A number with a format spec (``,``: thousands; ``,.0f``: rounded), from a number or its text."""
    number = float(str(value)) if "f" in spec else int(str(value))
    return format(number, spec)


def render_coded(coded: str, lang: str) -> str:
    """A structure value (``[[key, {params}], …]``) as the text of its cell in ``lang``."""
    return JOINER[lang].join(render(code, lang, **params) for code, params in json.loads(coded))


# ---------------------------------------------------------------------------------------- column-wise

Param = object  # a scalar, or a Series aligned with the rows the message is for


def arrow_text(values: pd.Series) -> pa.Array:
    """A text column as one Arrow ``large_string`` array (no copy of a one-chunk Arrow column)."""
    return _arrow(values)


def _arrow(values: pd.Series) -> pa.Array:
    array = pa.array(values.astype("string").array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _series(values: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())), index=index, copy=False)


def _join(pieces: list[object], index: pd.Index) -> pd.Series:
    """The pieces (text, or Arrow arrays of ``len(index)``) concatenated row by row, in one kernel."""
    merged: list[object] = []
    for p in pieces:  # adjacent literals as one
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif not (isinstance(p, str) and not p):
            merged.append(p)
    if not any(isinstance(p, pa.Array) for p in merged):
        return pd.Series("".join(map(str, merged)), index=index, dtype="string")
    scalars = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in merged]
    joined = pc.binary_join_element_wise(*scalars, pa.scalar("", pa.large_string()), null_handling="replace",
                                         null_replacement="")
    return _series(joined, index)


def _value(value: Param, index: pd.Index) -> object:
    if isinstance(value, pd.Series):
        return _arrow(value.reindex(index) if not value.index.equals(index) else value)
    return "" if value is None else str(value)


def english(code: str, index: pd.Index, params: Mapping[str, Param]) -> pd.Series:
    """The English text of ``code`` for every row of ``index``, built column-wise: the template's literal
    parts concatenated with the parameter columns (no step per row)."""
    template = MESSAGES[code][0]
    pieces: list[object] = []
    at = 0
    for m in _PLACEHOLDER.finditer(template):
        pieces.append(template[at:m.start()])
        at = m.end()
        name, table, spec, one, many = m.groups()
        value = params.get(name)
        if one is not None:
            if isinstance(value, pd.Series):
                ones = (value.reindex(index).astype("string") == "1").fillna(False).to_numpy(dtype=bool)
                pieces.append(pa.array(np.where(ones, one, many), pa.large_string()))
            else:
                pieces.append(one if str(value) == "1" else many)
        elif table and isinstance(value, pd.Series):
            words = {k: en for k, (en, _zh) in WORDS[table].items()}
            text = value.reindex(index).astype("string")
            pieces.append(_arrow(text.map(words).astype("string").fillna(text)))
        elif table:
            pieces.append(word(table, value, "en"))
        elif spec and not isinstance(value, pd.Series):
            pieces.append(_formatted(value, spec))
        else:
            pieces.append(_value(value, index))
    pieces.append(template[at:])
    return _join(pieces, index)


_NEEDS_ESCAPE = '[\\x00-\\x1f"\\\\]'


def _json_text(values: pd.Series) -> pa.Array:
    """Text values as JSON strings (quoted, escaped); NA as the empty string."""
    text = values.astype("string").fillna("")
    array = _arrow(text)
    risky = pc.fill_null(pc.match_substring_regex(array, _NEEDS_ESCAPE), False).to_numpy(zero_copy_only=False)
    quoted = pc.binary_join_element_wise(pa.scalar('"', pa.large_string()), array,
                                         pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string()))
    if not risky.any():
        return quoted
    rows = np.flatnonzero(risky)
    escaped = [json.dumps(v, ensure_ascii=False) for v in text.iloc[rows].tolist()]  # the rare cells that need it
    return pc.replace_with_mask(quoted, pa.array(risky), pa.array(escaped, pa.large_string()))


def coded(code: str, index: pd.Index, params: Mapping[str, Param]) -> pd.Series:
    """The structure entry ``["code",{params}]`` for every row of ``index``, built column-wise."""
    pieces: list[object] = [f'["{code}",{{']
    for i, (name, value) in enumerate(params.items()):
        pieces.append(("," if i else "") + json.dumps(name) + ":")
        if not isinstance(value, pd.Series):
            pieces.append(json.dumps(value, ensure_ascii=False))
        elif pd.api.types.is_integer_dtype(value.dtype):
            pieces.append(_arrow(value.reindex(index)))
        else:
            pieces.append(_json_text(value.reindex(index)))
    pieces.append("}]")
    return _join(pieces, index)


def message(code: str, index: pd.Index, /, **params: Param) -> tuple[pd.Series, pd.Series]:
    """English text and structure entry of ``code`` for the rows of ``index`` (both column-wise)."""
    return english(code, index, params), coded(code, index, params)


def entry(code: str, /, **params: object) -> str:
    """One structure entry ``["code",{params}]`` (a scalar message)."""
    return json.dumps([code, params], ensure_ascii=False, separators=(",", ":"))


_OPEN, _CLOSE, _NOTHING = (pa.scalar(t, pa.large_string()) for t in ("[", "]", ""))


def as_list(entries: pd.Series | str) -> pd.Series | str:
    """Entries (``["k",{…}]``, or several joined by ",") as a structure value: one JSON list; NA stays NA
    (one Arrow kernel: a column of a quarter million rows is mostly NA)."""
    if isinstance(entries, str):
        return f"[{entries}]"
    return _series(pc.binary_join_element_wise(_OPEN, _arrow(entries), _CLOSE, _NOTHING), entries.index)


def join_lists(first: pd.Series, second: pd.Series) -> pd.Series:
    """Two structure columns as one: the entries of both, first's first (NA where both are). Only the rows
    that have both are spliced."""
    both = (first.notna() & second.notna()).to_numpy(dtype=bool)
    out = first.fillna(second)
    if both.any():
        out[both] = first[both].str[:-1] + "," + second[both].str[1:]
    return out


# -------------------------------------------------------------------------------------------- the edge

def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with every message column that has a structure column (``c`` and ``c_coded``) rendered in
    ``lang`` from it, once per distinct structure value, and the structure columns dropped. A cell without
    structure (a row stored before codes, a message of another source) keeps its text as it is."""
    structured = [c for c in frame.columns if isinstance(c, str) and f"{c}{SUFFIX}" in frame.columns]
    if not structured:
        return frame
    out = frame.drop(columns=[f"{c}{SUFFIX}" for c in structured])
    for column in structured:
        out[column] = rendered_column(frame[column], frame[f"{column}{SUFFIX}"], lang)
    return out


def rendered_column(text: pd.Series, structure: pd.Series, lang: str) -> pd.Series:
    """A message column in ``lang`` from its structure column, once per distinct structure value; a cell
    without structure keeps its text."""
    positions, distinct = pd.factorize(structure, use_na_sentinel=True)
    if not len(distinct):
        return text
    rendered = np.array([render_coded(s, lang) for s in distinct] + [""], dtype=object)
    out = text.astype("string").to_numpy(dtype=object, na_value=None)
    has = positions >= 0
    out[has] = rendered[positions[has]]
    return pd.Series(out, index=text.index, dtype="string")


class Text(str):
    """The English text of a catalogue message that keeps its key and parameters: a file's note (a plain
    ``str`` wherever text is enough, the structure where a page renders it in Chinese)."""

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, /, **params: object) -> Text:
        text = super().__new__(cls, render(code, "en", **params))
        text.code, text.params = code, params
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return (_text, (self.code, self.params))

    def coded(self) -> str:
        """Its structure value (a list of one entry)."""
        return "[" + entry(self.code, **self.params) + "]"

    def render(self, lang: str) -> str:
        """The message in ``lang``."""
        return render(self.code, lang, **self.params)


def _text(code: str, params: dict[str, object]) -> Text:
    return Text(code, **params)


class Coded(str):
    """A cell's English text that keeps its structure value (``[[key, {params}], …]``, several messages
    joined): one ID number's problems as ``python -m compliance id`` prints them, rendered by a page."""

    structure: str

    def __new__(cls, text: str, structure: str) -> Coded:
        out = super().__new__(cls, text)
        out.structure = structure
        return out

    def __reduce__(self) -> tuple[object, ...]:
        return (Coded, (str(self), self.structure))

    def render(self, lang: str) -> str:
        """The messages in ``lang``."""
        return render_coded(self.structure, lang)


def coded_text(text: str | None, structure: object) -> str | None:
    """``text`` with its structure value where there is one (a :class:`Coded`), else as it is."""
    if text is None or not isinstance(structure, str):
        return text
    return Coded(text, structure)
