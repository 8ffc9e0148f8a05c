"""Screen labels in Chinese (default) and English, from one table.

>>> t("status.overdue", "zh"), t("status.overdue", "en")
('逾期未登记', 'Overdue')
"""

from __future__ import annotations

LANGS = {"zh": "中文", "en": "English"}

TEXT: dict[str, tuple[str, str]] = {
    "app.title": ("社保登记合规检查", "Social insurance registration check"),
    "app.language": ("语言 / Language", "语言 / Language"),
    "app.law": ("依据《社会保险法》第五十八条：用人单位应当自用工之日起三十日内为职工申请社会保险登记。",
                "Social Insurance Law Art. 58: employers register employees within 30 days from the date of "
                "employment."),
    "page.hr": ("用人单位：检查花名册", "Employer HR: check my roster"),
    "page.inspector": ("稽核：用人单位", "Inspector: employers"),
    "page.cards": ("社保卡激活", "Card activation"),
    "page.flexible": ("灵活就业人员：自查", "Flexible worker: check myself"),
    # shared controls
    "upload": ("上传花名册（xlsx / xls / csv，可多选）", "Upload rosters (xlsx / xls / csv, several allowed)"),
    "try_sample": ("试用示例数据", "Try the sample"),
    "using_sample": ("正在使用示例数据：", "Using the sample files: "),
    "clear_sample": ("清除示例", "Clear the sample"),
    "as_of": ("核查基准日", "As-of date"),
    "calendar_days": ("按自然日计算（不顺延节假日）", "Calendar days (no holiday rollover)"),
    "show_full": ("显示完整证件号码（仅限本单位数据）", "Show full ID numbers (your own data only)"),
    "employer_id": ("统一社会信用代码（花名册无单位列时）", "Employer USCC (for rosters without employer columns)"),
    "employer_name": ("单位名称（花名册无单位列时）", "Employer name (for rosters without employer columns)"),
    "checking": ("正在检查…", "Checking…"),
    "reading_file": ("读取文件", "Reading"),
    "checked": ("检查完成", "Checked"),
    "rows": ("行", "rows"),
    "file_error": ("文件无法使用", "File not usable"),
    "no_data": ("请上传花名册或点击“试用示例数据”。", "Upload a roster or press “Try the sample”."),
    "provisional": ("以下年份尚无国务院放假通知，相关截止日期为暂定（仅按周末及法定节假日推算）：",
                    "No State Council holiday notice yet for these years; deadlines there are provisional "
                    "(weekends and statutory holidays only): "),
    "download_xlsx": ("下载报告（Excel）", "Download report (Excel)"),
    "download_csv": ("下载报告（CSV）", "Download report (CSV)"),
    "download_flagged": ("导出需核定名单（Excel）", "Export flagged employers (Excel)"),
    "personal_data": ("报告含个人信息，请妥善保管。", "The report contains personal data: keep it safe."),
    # statuses
    "status.on_time": ("按时登记", "On time"),
    "status.late": ("逾期登记", "Late"),
    "status.overdue": ("逾期未登记", "Overdue"),
    "status.pending": ("待登记", "Pending"),
    "status.invalid": ("数据有误", "Invalid"),
    # HR page
    "hr.action": ("需优先处理的员工", "Employees who need action first"),
    "hr.action_none": ("没有逾期或待登记的员工。", "No overdue or pending employees."),
    "hr.all": ("全部员工", "All employees"),
    "hr.problems": ("行级问题（文件、行号、列）", "Row problems (file, row, column)"),
    "hr.problems_none": ("没有发现行级问题。", "No row problems found."),
    "hr.delay_chart": ("登记用时（入职到登记的天数，红线为30天）",
                       "Days from hire to registration (red line: 30 days)"),
    "hr.overdue_chart": ("按入职月份统计的逾期未登记人数", "Overdue employees by month of hire"),
    # inspector page
    "insp.employers": ("用人单位风险排序", "Employers by risk"),
    "insp.flagged_only": ("只看需核定保费的单位", "Flagged for premium verification only"),
    "insp.search": ("搜索单位（名称或代码）", "Search employer (name or code)"),
    "insp.hire_period": ("入职日期范围", "Hire period"),
    "insp.flagged_count": ("需核定保费的单位", "Employers flagged for premium verification"),
    "insp.drill": ("查看单位员工明细", "Drill down into an employer"),
    "insp.chart": ("各单位逾期未登记人数", "Overdue employees per employer"),
    "insp.employees": ("员工明细", "Employees"),
    # cards page
    "card.breakdown": ("社保卡状态分布", "Card status breakdown"),
    "card.no_columns": ("上传的花名册没有社保卡状态列（社保卡状态 / card_status）。",
                        "The rosters have no card status column (社保卡状态 / card_status)."),
    "card.cancelled": ("本市已注销旧卡", "The city has cancelled its old cards"),
    "card.cancel_date": ("旧卡注销日期", "Old-card cancellation date"),
    "card.not_activated": ("已发放未激活的人员", "Cards issued but not activated"),
    "card.frozen": ("医保个人账户已冻结（旧卡已注销、新卡未激活）",
                    "Medical-insurance personal account frozen (old card cancelled, new card not activated)"),
    "card.frozen_none": ("没有账户被冻结的人员。", "Nobody's account is frozen."),
    "card.status.not_applied": ("未申领", "Not applied"),
    "card.status.in_production": ("制卡中", "In production"),
    "card.status.issued_not_activated": ("已发放未激活", "Issued, not activated"),
    "card.status.activated": ("已激活", "Activated"),
    "card.status.reported_lost": ("挂失", "Reported lost"),
    "card.status.cancelled": ("注销", "Cancelled"),
    "card.status.unknown": ("无法识别", "Unrecognised"),
    "card.status.missing": ("未填写", "Blank"),
    # flexible worker page
    "flex.intro": ("输入您的身份证号码，检查号码是否有效并了解如何自行参保登记。本页不保存、不记录任何输入。",
                   "Enter your ID number to check it and learn how to register yourself. Nothing entered here "
                   "is stored or logged."),
    "flex.id": ("身份证号码（社会保障号码）", "ID number (= social security number)"),
    "flex.valid": ("号码有效", "The number is valid"),
    "flex.invalid": ("号码无效：", "The number is not valid: "),
    "flex.ssn": ("社会保障号码", "Social security number"),
    "flex.birth": ("出生日期", "Birth date"),
    "flex.sex": ("性别", "Sex"),
    "flex.region": ("地区", "Region"),
    "flex.kind": ("证件类型", "Kind"),
    "flex.category": ("您的就业情况", "Your situation"),
    "flex.self_registers": ("您需要自行申请社会保险登记。", "You apply for social-insurance registration yourself."),
    "flex.bring": ("需携带", "Bring"),
    "flex.where": ("办理地点", "Where to apply"),
    "flex.card": ("社保卡激活", "Activating your card"),
    "sex.M": ("男", "Male"),
    "sex.F": ("女", "Female"),
    "kind.resident": ("居民身份证", "Resident ID card"),
    "kind.hkmo_tw_permit": ("港澳台居民居住证", "Residence permit (HK/Macau/Taiwan residents)"),
    "kind.foreign_permanent": ("外国人永久居留身份证", "Foreign permanent resident ID card"),
    "category.sole_trader": ("无雇工的个体工商户", "Sole trader without employees"),
    "category.part_timer": ("未在用人单位参保的非全日制从业人员", "Part-timer not insured by an employer"),
    "category.other_flexible": ("其他灵活就业人员", "Other flexible worker"),
    "category.employed": ("受雇于用人单位", "Employed by an employer"),
    # table columns
    "col.source_file": ("文件", "File"),
    "col.source_row": ("行号", "Row"),
    "col.employer_id": ("单位代码", "Employer ID"),
    "col.employer_name": ("单位名称", "Employer"),
    "col.name": ("姓名", "Name"),
    "col.id_number": ("证件号码", "ID number"),
    "col.ssn": ("社会保障号码", "SSN"),
    "col.id_problem": ("证件号码问题", "ID problem"),
    "col.hire_date": ("入职日期", "Hire date"),
    "col.registration_date": ("参保日期", "Registration date"),
    "col.deadline": ("登记截止日", "Deadline"),
    "col.status": ("状态", "Status"),
    "col.days_late": ("逾期天数", "Days late"),
    "col.days_left": ("剩余天数", "Days left"),
    "col.problem": ("问题", "Problem"),
    "col.column": ("列", "Column"),
    "col.message": ("说明", "Message"),
    "col.employees": ("员工数", "Employees"),
    "col.on_time": ("按时", "On time"),
    "col.late": ("逾期登记", "Late"),
    "col.overdue": ("逾期未登记", "Overdue"),
    "col.pending": ("待登记", "Pending"),
    "col.invalid": ("数据有误", "Invalid"),
    "col.max_days_overdue": ("最长逾期天数", "Longest overdue (days)"),
    "col.flag_premium_verification": ("需核定保费", "Premium verification"),
    "col.flag_reason": ("原因", "Reason"),
    "col.card_status": ("社保卡状态", "Card status"),
    "col.card_bank": ("发卡银行", "Card bank"),
    "col.activation_date": ("激活日期", "Activation date"),
    "col.how_to_activate": ("激活方式", "How to activate"),
    "col.frozen": ("账户冻结", "Account frozen"),
}


def t(key: str, lang: str = "zh") -> str:
    """The label for ``key`` in ``lang`` ('zh' or 'en'); the key itself when missing."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def column_labels(columns: list[str], lang: str = "zh") -> dict[str, str]:
    """Display names for table columns (for ``DataFrame.rename``)."""
    return {c: t(f"col.{c}", lang) if f"col.{c}" in TEXT else c for c in columns}
