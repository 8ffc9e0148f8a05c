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
                               "agency assigns it at registration (MOHRSS Order No. 16, Art. 10)",
                               "持{kind@doc}人员没有可推出社会保障号码的身份号码，由经办机构在参保登记时分配"
                               "（人社部令第16号第十条）"),
    "registration_after_as_of": ("{label@label}: {date} lies after the as-of date {as_of}; counted as not "
                                 "registered on that date",
                                 "{label@label}：{date} 晚于核查日期 {as_of}，按当日尚未登记处理"),
    "registration_before_hire": ("{label@label}: registered before the hire date (counts as on time)",
                                 "{label@label}：参保日期早于入职日期（按时登记）"),
    # who must be registered (compliance.employment, compliance.duty): the reasons of the exempt status
    "exempt_retired": ("exempt: over the statutory retirement age (退休返聘), a service relationship, not employment "
                       "(Labour Contract Law Art. 44(2)); no Art. 58 registration duty before 2026-07-01 (from then "
                       "on work-injury insurance, 人社部等五部门令第56号 Art. 15)",
                       "无需单位登记：超过法定退休年龄（退休返聘）人员与单位之间为劳务关系而非劳动关系"
                       "（《劳动合同法》第四十四条第二项）；2026年7月1日前不适用第五十八条的登记义务"
                       "（此后须参加工伤保险，人社部等五部门令第56号第十五条）"),
    "exempt_intern": ("exempt: a student intern (实习) has no employment relationship; no Art. 58 registration duty "
                      "(劳部发〔1995〕309号 Art. 12)",
                      "无需单位登记：在校学生实习不建立劳动关系，不适用第五十八条的登记义务（劳部发〔1995〕309号第十二条）"),
    "exempt_dispatched": ("exempt: a dispatched worker (劳务派遣) is registered by the dispatching agency, the "
                          "employer in law (Interim Provisions on Labour Dispatch Art. 8), unless the dispatching "
                          "agency has no branch in this city (Art. 19(2): then the user company registers)",
                          "无需用工单位登记：被派遣劳动者由劳务派遣单位（法律上的用人单位）办理社会保险登记"
                          "（《劳务派遣暂行规定》第八条）；但劳务派遣单位在用工单位所在地未设立分支机构的，"
                          "由用工单位代为登记（第十九条第二款）"),
    "exempt_dispatched_branch": ("exempt: a dispatched worker (劳务派遣) whose dispatching agency has a branch in "
                                 "this city is registered by the agency, the employer in law (Interim Provisions "
                                 "on Labour Dispatch Art. 8, 19)",
                                 "无需用工单位登记：劳务派遣单位在当地设有分支机构，被派遣劳动者由劳务派遣单位（法律上的"
                                 "用人单位）办理社会保险登记（《劳务派遣暂行规定》第八条、第十九条）"),
    "exempt_service": ("exempt: a service contract (劳务关系) is no employment relationship; no Art. 58 "
                       "registration duty", "无需单位登记：劳务关系不是劳动关系，不适用第五十八条的登记义务"),
    # section 11: fields, leavers, duties (compliance.registration, compliance.duty)
    "hire_date_is_career_start": ("{label@label}: the start of a working life (参加工作日期, 工龄), not of this "
                                  "employment; the roster has no hire date (入职日期) to judge by",
                                  "{label@label}：参加工作日期是开始参加工作（计算工龄）的日期，不是本次入职日期；"
                                  "花名册没有入职日期，无法判断"),
    "registration_month_only": ("{label@label}: only the month {month} is given; judged by the month (shown as its "
                                "first day)", "{label@label}：只填了参保年月 {month}，按月份判断（显示为当月1日）"),
    "leave_date_after_as_of": ("{label@label}: {date} lies after the as-of date {as_of}; not counted",
                               "{label@label}：{date} 晚于核查日期 {as_of}，不予计算"),
    "left_before_deadline": ("left on {date}, before the registration deadline {deadline}: not overdue; premiums "
                             "for the months worked may still be due (Social Insurance Law Art. 58, 86)",
                             "已于 {date} 离职，早于登记期限 {deadline}：不属逾期未登记；在职期间的社会保险费仍可能"
                             "需要补缴（《社会保险法》第五十八条、第八十六条）"),
    "overdue_until_leave": ("left on {date}: the violation ended with the employment; days counted to the leave "
                            "date", "已于 {date} 离职：违法行为随劳动关系终止而结束，逾期天数计至离职日"),
    "inspection_time_limit": ("Regulations on Labour Security Supervision Art. 20: no investigation (查处) two years "
                              "after the act ended ({date}) unless it was discovered or complained of within them; "
                              "whether the premiums can still be recovered is disputed",
                              "《劳动保障监察条例》第二十条：违法行为在终止之日（{date}）起两年内未被发现、也未被举报、"
                              "投诉的，劳动保障行政部门不再查处；社会保险费能否追缴存在争议"),
    "deregistration_late": ("deregistration (减员) on {date}, {days} {days|day|days} after its deadline {deadline} "
                            "(15 days from the end of the employment, Labour Contract Law Art. 50)",
                            "减员日期 {date} 晚于期限 {deadline} {days} 天（应在解除或终止劳动合同之日起15日内办理，"
                            "《劳动合同法》第五十条）"),
    "deregistration_missing": ("left on {date}; no deregistration (减员) by its deadline {deadline} (15 days from "
                               "the end of the employment, Labour Contract Law Art. 50)",
                               "已于 {date} 离职，期限 {deadline} 前未办理减员（应在解除或终止劳动合同之日起"
                               "15日内办理，《劳动合同法》第五十条）"),
    "pending_work_injury": ("until registration the employer bears work-injury benefits itself (Regulations on "
                            "Work-Related Injury Insurance Art. 62(2))",
                            "登记前职工发生工伤的，由用人单位按工伤保险待遇项目和标准支付费用（《工伤保险条例》第六十二条"
                            "第二款）"),
    "duty_part_time": ("part-time (非全日制): the employer registers work-injury insurance only; pension and medical "
                       "insurance are the worker's own (劳社部发〔2003〕12号 items 10-12)",
                       "非全日制用工：用人单位只需办理工伤保险，养老、医疗保险由劳动者个人参保"
                       "（劳社部发〔2003〕12号第十至十二条）"),
    "work_injury_required": ("over the statutory retirement age: from 2026-07-01 the employer insures work injury "
                             "(人社部等五部门令第56号 Art. 15); the 30 days count from {start}",
                             "超过法定退休年龄：自2026年7月1日起用人单位须为其参加工伤保险（人社部等五部门令第56号"
                             "第十五条）；30日自 {start} 起算"),
    "over_statutory_age": ("born {birth}: at or above the statutory retirement age on the hire date (NPC Standing "
                           "Committee decision of 2024-09-13)",
                           "出生于 {birth}，入职时已达到法定退休年龄（全国人大常委会2024年9月13日决定）"),
    "retired_below_statutory_age": ("labelled retired but below the original retirement age on the hire date "
                                    "(born {birth}); early retirement needs an approval: full duty unless it is "
                                    "shown",
                                    "标注为退休返聘，但入职时未达到原法定退休年龄（出生于 {birth}）；提前退休须经批准，"
                                    "未出示批准文件的按全日制用工处理"),
    "retirement_age_uncertain": ("born {birth}: between the retirement ages of women's two tables (50 and 55) on "
                                 "the hire date; which applies depends on her post (a worker or a cadre): check",
                                 "出生于 {birth}，入职时处于女职工两种法定退休年龄（50周岁、55周岁对照表）之间；"
                                 "适用哪一种取决于其岗位（工人或干部），请核实"),
    "waiver_void": ("a waiver of social insurance is void (法释〔2025〕12号 Art. 19): the duty stands; the employee "
                    "may resign and claim economic compensation",
                    "放弃缴纳社会保险的约定无效（法释〔2025〕12号第十九条）：登记义务不变；劳动者可以解除劳动合同"
                    "并要求经济补偿"),
    "dispatch_user_registers": ("dispatched, and the dispatching agency has no branch in this city: the user "
                                "company registers (Interim Provisions on Labour Dispatch Art. 19(2))",
                                "劳务派遣单位在用工单位所在地未设立分支机构：由用工单位代为办理社会保险登记"
                                "（《劳务派遣暂行规定》第十九条第二款）"),
    # the card (compliance.cards, section 11.4): guidance keys (card_<key>) and the card problems
    "card_transfer_no_new_card": (
        "Your insurance relationship has ended: no new card is needed. Transfer it where you work now, through the "
        "national social insurance public service platform (国家社会保险公共服务平台) or the 掌上12333 app; the "
        "medical insurance moves through the national medical insurance service platform (国家医保服务平台), and "
        "the personal medical account moves with it.",
        "参保关系已终止：无需申领新卡。请在新的就业地通过国家社会保险公共服务平台或“掌上12333”App 办理社会保险关系"
        "转移，医保关系通过国家医保服务平台转移，医保个人账户随之转移。"),
    "card_apply_card": (
        "No card yet: apply with your valid ID at a social security (人社) service window or a service bank branch of "
        "the place you are insured, or online through the electronic social security card (电子社保卡) or 掌上12333; "
        "an employer may apply for its employees. Enable the card once you have it.",
        "尚未持有社保卡：请携带本人有效身份证件到参保地人社服务窗口或社保卡服务银行网点申领，也可通过电子社保卡、"
        "“掌上12333”等线上渠道申领；单位也可为职工统一申领。领卡后再启用。"),
    "card_await_production": (
        "Your card is being made: nothing to bring now. Follow its progress in the electronic social security card "
        "or 掌上12333, and collect it where you are told once it is ready.",
        "社保卡正在制作中：现在无需携带任何材料。可在电子社保卡或“掌上12333”查询制卡进度，制好后按通知到指定网点领取。"),
    "card_collect_card": (
        "Your card is ready: collect it with your valid ID at the branch or window named in the notice, then enable "
        "it.", "社保卡已制好待领取：请携带本人有效身份证件到通知的网点或窗口领取，领取后启用。"),
    "card_replace_lost": (
        "The card is reported lost: apply for a replacement with your valid ID at a social security service window "
        "or service bank branch, or online where your city offers it (电子社保卡, 掌上12333); use the electronic "
        "card meanwhile.",
        "社保卡已挂失：请携带本人有效身份证件到人社服务窗口或社保卡服务银行网点申请补卡，所在城市开通的也可在电子社保卡、"
        "“掌上12333”线上申请；补卡期间可先使用电子社保卡。"),
    "card_replace_expired": (
        "The card has expired: apply for a new one with your valid ID at a social security service window or "
        "service bank branch, or online where your city offers it; enable the new card once you have it.",
        "社保卡已过有效期：请携带本人有效身份证件到人社服务窗口或社保卡服务银行网点申请换卡，所在城市开通的也可线上申请；"
        "领到新卡后启用。"),
    "card_enable_social_online": (
        "Enable the card's social-security function online, from anywhere: in the electronic social security card "
        "(app or mini-programme), the 掌上12333 app or the national government service platform (国家政务服务平台); "
        "or at any social security window or service bank branch (card services are available across provinces).",
        "启用社保卡的社保功能：可在任何地方通过电子社保卡（App 或小程序）、“掌上12333”App、国家政务服务平台在线启用，"
        "也可到人社服务窗口或社保卡服务银行网点办理（社保卡服务已实现跨省通办）。"),
    "card_activate_financial_any_branch": (
        "Activate the financial function in person, with the card and a valid ID, at any branch of the bank printed "
        "on the card, anywhere in the country.",
        "激活金融功能：携带社保卡和本人有效身份证件，到卡面所印银行在全国的任一网点当面办理。"),
    "card_sign_up_electronic": (
        "Sign up for the electronic social security card (电子社保卡) in its app, 掌上12333, WeChat or Alipay: it "
        "works at once for services and medical settlement where accepted.",
        "在电子社保卡 App、“掌上12333”、微信或支付宝中申领电子社保卡：签发后即可办理社保服务，"
        "在支持的地方用于就医结算。"),
    "card_city_unknown": ("no old-card parameters for the card city '{city}': frozen left empty (give "
                          "--old-cards-cancelled DATE for such rows)",
                          "发卡地“{city}”没有旧卡停用参数：账户冻结一栏留空（可用 --old-cards-cancelled 指定日期）"),
    "card_city_missing": ("no card city on this row and none given (--city): frozen left empty",
                          "该行没有发卡地，也未指定城市（--city）：账户冻结一栏留空"),
    "card_short_notice": ("{city} cancels its old cards on {date}, announced on {announced}: less than six months "
                          "ahead", "{city}于 {announced} 公告自 {date} 起停用旧卡，距停用不足六个月"),
    "card_params_unconfirmed": ("{city}: the old cards' {key@cardkey} is not confirmed by a published source (see "
                                "docs/cards-sources.md)",
                                "{city}：旧卡{key@cardkey}未能从公开来源核实，仅供参考"),
    "card_params_bad": ("{file}: [cards] {key} = '{value}' is not usable (old_card_mode: city_date or "
                        "on_activation; dates as YYYY-MM-DD)",
                        "{file}：[cards] 中 {key} = “{value}” 无法使用（old_card_mode 应为 city_date 或 "
                        "on_activation；日期格式为 YYYY-MM-DD）"),
    "duplicate_person": ("the same social security number as row {row} of this file, for the same employer",
                         "与本文件第 {row} 行为同一单位的同一社会保障号码（重复）"),
    "hire_date_far_future": ("{label@label}: {date} is more than 90 days after the as-of date {as_of}; check the date",
                             "{label@label}：{date} 比核查日期 {as_of} 晚90天以上，请核实"),
    "value_unknown": ("{label@label}: '{value}' is not a value this field takes; ignored",
                      "{label@label}：“{value}”不是该列可接受的值，已忽略"),
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
    "exempt_in_registry": ("the roster gives no registration duty of the employer's ({type@employment}), but the "
                           "registry has this person registered by it: check the roster's label",
                           "花名册标注该人员不属单位登记义务范围（{type@employment}），但登记系统显示单位已为其参保："
                           "请核实花名册的标注"),
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
    "totals_row": ("row {row} is a totals row ('{text}'), not an employee, and was skipped",
                   "第 {row} 行为合计行（“{text}”），不是员工，已跳过"),
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
    # administration, issue 24 item 7 (compliance.accounts)
    "user_enabled_already": ("user {user} is not disabled", "用户 {user} 未被停用"),
    "demo_retired": ("{user} is a demo account and the store holds real data: it stays disabled",
                     "{user} 是演示账户，数据库中已有真实数据，不能再启用"),
    "role_unchanged": ("user {user} has that role and those employers already",
                       "用户 {user} 的角色和所属单位没有变化"),
    "last_admin": ("{user} is the only enabled admin: it keeps the admin role",
                   "{user} 是唯一启用的管理员，不能改为其他角色"),
    "no_admin": ("no admin account: create one with `user add NAME --role admin --must-change`",
                 "没有管理员账户：请用 `user add 用户名 --role admin --must-change` 新建"),
    "several_admins": ("several admin accounts ({users}): name one with --username",
                       "有多个管理员账户（{users}）：请用 --username 指定一个"),
    "not_admin": ("{user} is not an admin", "{user} 不是管理员"),
    "audit_dates_reversed": ("the start date {first} is after the end date {last}",
                             "起始日期 {first} 晚于截止日期 {last}"),
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
                            "注意：{months} 的以下参数未能从公开来源核实：{keys@params}。"),
    # README 11.5 (compliance.premiums.worksheet_notes)
    "late_fee_first_of_next_month": ("{months}: late fee 0.05% of the unpaid premiums per day from the 1st of the "
                                     "month after the contribution month, never before the day after the due date "
                                     "(local rule; Social Insurance Law Art. 86)",
                                     "滞纳金规则：{months} 按日加收欠缴保费万分之五，自所属期次月1日起算，"
                                     "且不早于应缴日次日（地方规定；《社会保险法》第八十六条）。"),
    "due_same_month": ("{months}: a month's premiums are due on day {day} of that month itself (当月缴当月)",
                       "缴费期限：{months} 当月缴当月，所属期当月 {day} 日为应缴日。"),
    "worksheet_gap_months": ("{rows} month row(s) of {people} employee(s) registered late are gap months (kind "
                             "gap: from the month of hire to the month before the registration month, uninsured "
                             "unless paid back), charged with late fees from each month's due date",
                             "{people} 名逾期登记员工有 {rows} 个空档月（类型“空档月”：入职当月至参保登记前一个月，"
                             "除非已补缴，均未参保），已计入应缴保费，滞纳金自各月应缴日起算。"),
    "gap_months_unpriced": ("gap months {months} are not priced: the parameters start at {first}; add the "
                            "periods they fall in to verify them",
                            "空档月 {months} 未计价：缴费参数自 {first} 起；需补充这些月份所在期间的参数后才能核定。"),
    "type_base_bounds": ("{months}: {type@insurance} is priced on bounds of its own, {floor:,.0f}–{cap:,.0f} "
                         "yuan (the base column shows the base on the period's bounds)",
                         "{months} {type@insurance}按其自身的缴费基数上下限 {floor:,.0f}–{cap:,.0f} 元核定"
                         "（“缴费基数”列为该期通用上下限下的基数）。"),
    "over_age_not_charged": ("{rows} month row(s) of {people} over-age employee(s) before 2026-07-01 are not "
                             "charged (past the statutory retirement age: a service relationship, Labour Contract "
                             "Law Art. 44(2); work-injury insurance from 2026-07-01, 人社部等五部门令第56号 Art. 15)",
                             "{people} 名超龄劳动者在2026年7月1日前的 {rows} 个月份不计保费（已达法定退休年龄，"
                             "《劳动合同法》第四十四条第二项；自2026年7月1日起参加工伤保险，人社部等五部门令第56号"
                             "第十五条）。"),
    "work_injury_only_charged": ("{people} employee(s) carry the work-injury duty only: only work-injury "
                                 "insurance is charged for them (part-time: 劳社部发〔2003〕12号 items 10–12; "
                                 "over-age from 2026-07-01: 人社部等五部门令第56号 Art. 15)",
                                 "{people} 名员工仅需参加工伤保险，只计工伤保险费（非全日制用工：劳社部发〔2003〕12号"
                                 "第十至十二条；超龄劳动者自2026年7月1日起：人社部等五部门令第56号第十五条）。"),
    "exempt_types_not_charged": ("{people} employee(s) exempt from {type@insurance} are not charged for it "
                                 "(bilateral social-security agreements, 人社部令第16号 Art. 9)",
                                 "{people} 名员工免缴{type@insurance}，未计入"
                                 "（社会保险双边协议，人社部令第16号第九条）。"),
    "default_base_no_wage": ("{rows} month row(s) have no declared wage, so they are verified at the period's "
                             "default base: the worksheet's premiums are {total} yuan; with those months at the "
                             "period's average wage (人社部令第20号 Art. 8 names the local average wage) they would "
                             "be {average} yuan",
                             "{rows} 个月份未申报工资，按该期默认缴费基数核定：工作表应缴保费合计 {total} 元；"
                             "如这些月份按当地职工平均工资核定（人社部令第20号第八条），合计为 {average} 元。"),
    "unknown_case_state": ("unknown case state {state}; expected one of {states}",
                           "未知的案件状态 {state}，可选：{states}"),
    "no_case": ("no case {case}", "没有编号为 {case} 的案件"),
    # notices (compliance.notices, jobs.case_notice)
    "notice_kind": ("unknown notice kind {kind}; expected one of {kinds}",
                    "未知的文书类型 {kind}，可选：{kinds}"),
    "notice_format": ("a notice is written as {formats}, not '{format}'",
                      "文书只能保存为 {formats}，不能保存为“{format}”"),
    "notice_nobody": ("case {case}: nobody of employer {employer} is overdue or registered late as of {as_of}: no "
                      "notice to write",
                      "案件 {case}：截至 {as_of}，单位 {employer} 没有逾期未登记或逾期登记的职工，无需出具文书"),
    "notice_city": ("no shipped city matches employer {employer}'s credit code: name --city or --params",
                    "无法根据单位 {employer} 的统一社会信用代码确定城市：请指定城市参数（--city 或 --params）"),
    "case_next_state": ("case {case} is {state@state}; it cannot move to {state2@state} from there",
                        "案件 {case} 当前为 {state@state}，不能由此改为 {state2@state}"),
    # cases, README 11.6 (compliance.cases.refusal)
    "case_final": ("case {case} is {state@state}: it moves no further", "案件 {case} 当前为 {state@state}，不能再推进"),
    "case_note_required": ("a move of case {case} needs a note (what was done, on which document)",
                           "推进案件 {case} 须填写备注（做了什么、依据哪份文书）"),
    "case_document_required": ("notifying case {case} needs the document served: rectification_order, "
                               "audit_opinion or payment_notice",
                               "通知案件 {case} 须注明送达的文书：限期改正指令书、稽核整改意见书或限期缴费通知书"),
    "unknown_case_document": ("unknown document {document}; expected one of {documents}",
                              "未知的文书 {document}，可选：{documents}"),
    "case_rectify_by_required": ("notifying case {case} needs the rectify-by date the document sets",
                                 "通知案件 {case} 须注明文书规定的改正期限"),
    "case_rectify_by_past": ("case {case}: the rectify-by date {rectify_by} is before the notice ({on})",
                             "案件 {case}：改正期限 {rectify_by} 早于通知日期 {on}"),
    "case_document_only_notified": ("case {case}: a document and a rectify-by date go with the move to notified "
                                    "only", "案件 {case}：文书和改正期限只在推进到“已通知”时填写"),
    "case_not_yet_due": ("case {case} can be recorded not rectified only after its rectify-by date {rectify_by} "
                         "(today is {on}; Social Insurance Law Art. 84)",
                         "案件 {case} 的改正期限为 {rectify_by}，期满后才能记为逾期未改正（今天是 {on}；"
                         "《社会保险法》第八十四条）"),
    "case_rectify_by_unknown": ("case {case} was notified before rectify-by dates were kept, so it cannot be "
                                "recorded not rectified: record it rectified, or withdraw it and open a new case "
                                "with the notice", "案件 {case} 通知时未记录改正期限，不能记为逾期未改正："
                                "可记为已整改，或撤销立案后重新立案并登记通知文书"),
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
        "ssn": "社会保障号码", "career_start_date": "参加工作日期", "leave_date": "离职日期", "leave date": "离职日期",
        "deregistration_date": "减员日期", "deregistration date": "减员日期", "insurance_status": "参保状态",
        "social_function": "社保功能状态", "financial_function": "金融功能状态",
        "dispatch_local_branch": "派遣单位本地分支机构", "exempt_types": "免缴险种", "employment_type": "用工形式",
        "card_city": "发卡地", "birth_date": "出生日期"}.items()},
    "cardkey": {"old_card_mode": ("way of cancelling", "停用方式"), "old_card_cancel_date": ("cancellation date",
                                                                                      "停用日期"),
                "announced_on": ("announcement date", "公告日期")},
    "employment": {"retired": ("re-employed retiree", "退休返聘"), "intern": ("intern", "实习"),
                   "dispatched": ("dispatched", "劳务派遣"), "service": ("service contract", "劳务关系"),
                   "full_time": ("full-time", "全日制"), "part_time": ("part-time", "非全日制")},
    "given": {"employer USCC": ("employer USCC", "统一社会信用代码"), "employer name": ("employer name", "单位名称")},
    "insurance": {"pension": ("pension insurance", "养老保险"), "medical": ("medical insurance", "医疗保险"),
                  "unemployment": ("unemployment insurance", "失业保险"),
                  "work_injury": ("work-injury insurance", "工伤保险")},  # the worksheet's types (README 11.5)
    "state": {"open": ("open", "已立案"), "notified": ("notified", "已通知"), "rectified": ("rectified", "已整改"),
              "not_rectified": ("not rectified", "逾期未改正"), "penalised": ("penalised", "已处罚"),
              "closed": ("closed", "已结案"), "withdrawn": ("withdrawn", "已撤销立案")},
}
_PLACEHOLDER = re.compile(r"\{(\w+)(?:@(\w+)|:([^}|]*)|\|([^|}]*)\|([^}]*))?\}")
_COLUMN = re.compile(r"^(.*) \(column ([A-Z]{1,3})\)$", re.DOTALL)


_PARAM_WORDS = {"due_day": "缴费截止日", "average_wage": "社会平均工资", "base_floor": "缴费基数下限",
                "base_cap": "缴费基数上限", "default_base": "未申报工资时的核定基数", "employer": "单位费率",
                "employee": "个人费率", "employee_fixed": "个人定额", "pension": "养老保险", "medical": "医疗保险",
                "unemployment": "失业保险", "work_injury": "工伤保险", "maternity": "生育保险", "rates": ""}


def _param_names(keys: str, lang: str) -> str:
    """A parameter file's keys ("due_day, rates.pension.employer") in words: 缴费截止日、养老保险单位费率."""
    if lang == "en":
        return keys
    return "、".join("".join(_PARAM_WORDS.get(part, part) for part in key.strip().split("."))
                    for key in keys.split(",") if key.strip())


def word(table: str, value: object, lang: str) -> str:
    """``value`` through a word table in ``lang``; a value the table lacks as it is (a label in Chinese:
    "入职日期 (column D)" → "入职日期（D 列）")."""
    text = "" if value is None else str(value)
    if table == "params":  # the keys of a parameter file, several joined by ", "
        return _param_names(text, lang)
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


def coalesce(first: pd.Series, second: pd.Series) -> pd.Series:
    """``first``, and ``second`` where it is NA: one Arrow kernel (pandas' fillna of a text column costs
    a pass of its own per call)."""
    merged = pc.coalesce(_arrow(first), _arrow(second.reindex(first.index)))
    return _series(merged, first.index)


def join_lists(first: pd.Series, second: pd.Series) -> pd.Series:
    """Two structure columns as one: the entries of both, first's first (NA where both are). Only the rows
    that have both are spliced."""
    a, b = _arrow(first), _arrow(second.reindex(first.index))
    both = pc.and_(pc.is_valid(a), pc.is_valid(b))
    out = pc.coalesce(a, b)
    if pc.any(both).as_py():
        spliced = pc.binary_join_element_wise(pc.utf8_slice_codeunits(a, 0, -1), pc.utf8_slice_codeunits(b, 1),
                                              pa.scalar(",", pa.large_string()))
        out = pc.if_else(both, spliced, out)
    return _series(out, first.index)


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
