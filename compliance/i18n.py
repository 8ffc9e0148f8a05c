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
    "check_crashed": ("检查进程意外终止（可能内存不足），本次上传未完成检查。请拆分文件后重试，或稍后再试。",
                      "The checking process stopped unexpectedly (out of memory?); this upload was not checked. "
                      "Split the file and try again, or try again later."),
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
    "status.exempt": ("无需单位登记", "Exempt"),
    # HR page
    "hr.action": ("需优先处理的员工", "Employees who need action first"),
    "hr.action_none": ("没有逾期或待登记的员工。", "No overdue or pending employees."),
    "hr.all": ("全部员工", "All employees"),
    "hr.exempt": ("无需本单位登记的人员（{count} 人，原因见“问题”列）",
                  "Not the employer's to register ({count}; the reason is in the problem column)"),
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
    "card.frozen": ("医保个人账户已冻结（旧卡已注销、新卡未激活或未申领）：{count} 人",
                    "Medical-insurance personal account frozen (old card cancelled, no activated new card): {count}"),
    "card.must_apply": ("尚未申领社保卡的人员（{count} 人，需先申领）",
                        "Never applied for a card ({count}: apply first)"),
    "card.frozen_none": ("没有账户被冻结的人员。", "Nobody's account is frozen."),
    "card.status.not_applied": ("未申领", "Not applied"),
    "card.status.in_production": ("制卡中", "In production"),
    "card.status.issued_not_activated": ("已发放未激活", "Issued, not activated"),
    "card.status.activated": ("已激活", "Activated"),
    "card.status.lost": ("挂失", "Lost"),
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
    "col.id_kind": ("证件种类", "Document"),
    "col.exempt": ("无需登记", "Exempt"),
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

TEXT.update({
    "page.agency": ("稽核：登记记录与案件", "Inspector: registry and cases"),
    "agency.store": ("存入数据库", "Store in the database"),
    "agency.rosters": ("花名册（存档）", "Rosters (to store)"),
    "agency.registry": ("经办机构登记数据", "Agency registration extract"),
    "agency.stored": ("已存入", "Stored"),
    "agency.duplicate": ("内容相同的文件已存过，未重复存入", "Same content already stored; nothing added"),
    "agency.history": ("上传记录", "Upload history"),
    "agency.crosscheck": ("比对结果", "Cross-check findings"),
    "agency.finding_filter": ("问题类型", "Finding"),
    "agency.worksheet": ("保费核定工作表", "Premium verification worksheet"),
    "agency.employer": ("用人单位", "Employer"),
    "agency.city": ("城市参数", "City parameters"),
    "agency.no_flagged": ("数据库中没有需核定保费的单位。", "No employer in the store is flagged."),
    "agency.totals": ("应缴保费与滞纳金合计", "Premiums and late fee"),
    "agency.total_premiums": ("应缴保费合计", "Premiums due"),
    "agency.params_uncovered": ("{city}的缴费参数覆盖 {coverage}，不含所选核定日期之前的 {months}。"
                                "工作表最晚可按 {last} 核定（覆盖到 {last_month}）。",
                                "The parameters of {city} cover {coverage}, not {months} before the chosen as-of date. "
                                "The latest as-of date they cover is {last} (through {last_month})."),
    "agency.use_last_as_of": ("改按 {last} 核定", "Use as-of {last}"),
    "agency.fee_above_principal": ("{count} 个月份的滞纳金超过应缴保费；未封顶（《行政强制法》第四十五条"
                                   "是否适用于社会保险费滞纳金存在争议，请核定人员判断）。",
                                   "{count} month rows have a late fee above the premiums; not capped (whether "
                                   "Administrative Enforcement Law Art. 45 applies to social-insurance late fees is "
                                   "disputed: the inspector decides)."),
    "agency.late_fee_rule.day_after_due": ("滞纳金规则：{months} 按日加收欠缴保费万分之五，"
                                           "自应缴日次日起算（《社会保险法》第八十六条）。",
                             "Late fee: {months}: 0.05% of the unpaid premiums per day from the day after the due date "
                             "(Social Insurance Law Art. 86)."),
    "agency.unconfirmed": ("注意：{months} 的以下参数未能从公开来源核实：{fields}。",
                           "Note: {months}: figures not confirmed "
                           "by a published source: {fields}."),
    "agency.download_worksheet": ("下载工作表（Excel）", "Download worksheet (Excel)"),
    "agency.download_findings": ("下载比对结果（Excel）", "Download findings (Excel)"),
    "agency.cases": ("案件", "Cases"),
    "agency.open_case": ("立案", "Open a case"),
    "agency.move_case": ("推进案件", "Move case"),
    "agency.case": ("案件编号", "Case"),
    "agency.next_state": ("下一状态", "Next state"),
    "agency.note": ("备注", "Note"),
    "agency.case_history": ("案件历史（审计日志）", "Case history (audit log)"),
    "agency.empty": ("数据库为空：先存入花名册和登记数据，或点击“试用示例数据”。",
                     "The store is empty: store rosters and a registry extract, or press “Try the sample”."),
    "col.finding": ("问题类型", "Finding"),
    "col.roster_registration_date": ("花名册参保日期", "Roster registration date"),
    "col.registry_registration_date": ("登记系统参保日期", "Registry registration date"),
    "col.detail": ("说明", "Detail"),
    "col.month": ("所属期", "Month"),
    "col.base": ("缴费基数", "Base"),
    "col.employer_amount": ("单位应缴", "Employer amount"),
    "col.employee_amount": ("个人应缴", "Employee amount"),
    "col.total": ("合计", "Total"),
    "col.due_date": ("应缴日期", "Due date"),
    "col.late_fee": ("滞纳金", "Late fee"),
    "col.state": ("状态", "State"),
    "col.reason": ("原因", "Reason"),
})

TEXT.update({
    "auth.title": ("请登录", "Please sign in"),
    "auth.username": ("用户名 / Username", "用户名 / Username"),
    "auth.password": ("密码 / Password", "密码 / Password"),
    "auth.submit": ("登录 / Sign in", "登录 / Sign in"),
    "auth.sign_out": ("退出登录", "Sign out"),
    "auth.signed_in_as": ("当前用户：", "Signed in as "),
    "auth.wrong_role": ("本页面供以下角色使用：", "This page is for: "),
    "auth.change_password": ("首次登录请设置新密码", "Set a new password before you go on"),
    "auth.new_password": ("新密码（至少12位，不含用户名，不能是常见密码）",
                          "New password (12 characters or more, without the username, not a common password)"),
    "auth.account_changed": ("您的账户已被停用或权限已变更，已退出登录。请重新登录。",
                             "Your account was disabled or its role or employers changed: you were signed out. "
                             "Please sign in again."),
    "table_truncated": ("表格仅显示前 {shown:,} 行（共 {total:,} 行）；完整结果请下载报告。",
                        "The table shows the first {shown:,} of {total:,} rows; download the report for all."),
    "upload_too_big": ("本次上传的文件合计 {total:,.0f} MB，超过上限 {cap:,.0f} MB。请分批上传。",
                       "These files add up to {total:,.0f} MB, more than the limit of {cap:,.0f} MB per upload. "
                       "Upload them in smaller batches."),
    "unexpected_error": ("操作未能完成（内部错误，详情已记入服务器日志，不含个人信息）。请稍后重试或联系管理员。",
                         "This could not be done (internal error; the detail is in the server log, without "
                         "personal data). Try again later or ask the administrator."),
    "auth.new_password_again": ("再次输入新密码", "New password again"),
    "auth.passwords_differ": ("两次输入的密码不一致", "The two passwords differ"),
    "auth.save_password": ("保存新密码", "Save the new password"),
    "auth.set_aside": ("行属于其他单位，已排除（不显示、不保存）", "rows belong to other employers and were set aside "
                                                       "(neither shown nor stored)"),
    "auth.your_employer": ("本单位", "Your employer"),
    "role.hr": ("用人单位人事", "Employer HR"),
    "role.inspector": ("稽核人员", "Inspector"),
    "role.admin": ("管理员", "Administrator"),
    "page.admin": ("管理员：用户", "Admin: users"),
    "admin.users": ("用户", "Users"),
    "admin.add": ("新增用户", "Add a user"),
    "admin.role": ("角色", "Role"),
    "admin.employers": ("所属单位统一社会信用代码（人事角色，逗号分隔）", "Employer USCCs (HR role, comma-separated)"),
    "admin.disable": ("停用用户", "Disable a user"),
    "admin.done": ("已完成", "Done"),
})
