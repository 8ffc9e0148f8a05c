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
    "colon": ("：", ": "),
    "upload.button": ("选择文件", "Upload"),
    "upload.limit": ("每个文件不超过 {mb}MB · XLSX、XLS、CSV", "{mb} MB per file · XLSX, XLS, CSV"),
    "nothing_checked.unusable": ("没有检查任何行：上传的文件中没有可用的数据行（原因见上）。请确认文件是花名册"
                                 "（xlsx、xls 或 csv，含表头“姓名”“身份证号”“入职日期”等），修改后重新上传。",
                                 "No row was checked: the uploaded files hold no usable data rows (see above why). "
                                 "Make sure the file is a roster (xlsx, xls or csv with headers such as name, "
                                 "id_number, hire_date), then upload it again."),
    "nothing_checked.set_aside": ("没有检查任何行：文件中的 {count:,} 行都属于其他单位，已全部排除（不显示、不保存）。"
                                  "您的账户只能查看本单位（{employers}）的员工；请上传本单位的花名册，或请管理员为账户"
                                  "添加该单位。",
                                  "No row was checked: all {count:,} rows of the files belong to other employers and "
                                  "were set aside (neither shown nor stored). Your account sees the employees of "
                                  "{employers} only: upload your own roster, or ask the administrator to add that "
                                  "employer to your account."),
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
    "hr.source": ("以上状态按本花名册填写的参保日期判断。经办机构核定保费时以其登记数据为准，"
                  "两者不一致时人数可能不同。",
                  "These statuses follow the registration dates in this roster. When the agency verifies premiums it "
                  "goes by its own registry, so where the two differ it may count other people."),
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
    "flex.upgraded": ("您输入的是15位一代身份证号码 {old}；社会保障号码是升级后的18位号码 {new}"
                      "（出生年份前加“19”，末位加校验码）。",
                      "You entered a 15-digit first-generation number, {old}; your social security number is its "
                      "18-digit form {new} (19 before the year, a check character at the end)."),
    "flex.item": ("项目", "Item"),
    "flex.value": ("内容", "Value"),
    "flex.card_status": ("您的社保卡状态", "Your card's status"),
    "flex.card.activated": ("社保卡已激活，可以正常使用。", "Your card is activated and ready to use."),
    "flex.card.lost": ("社保卡已挂失：请到社保经办机构或合作银行网点补办新卡，领取后激活。",
                       "Your card is reported lost: apply for a replacement at the social security agency or a "
                       "cooperating bank, and activate it when you receive it."),
    "flex.card.cancelled": ("社保卡已注销：如仍需参保，请到社保经办机构咨询重新申领。",
                            "Your card is cancelled: if you are still insured, ask the social security agency about "
                            "a new one."),
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
    "col.card_status_code": ("社保卡状态", "Card status"),
    "col.must_apply": ("需先申领", "Must apply first"),
    "col.birth_date": ("出生日期", "Birth date"),
    "col.sex": ("性别", "Sex"),
    "col.region": ("地区", "Region"),
    "col.value": ("单元格内容", "Cell value"),
    "col.code": ("问题代码", "Code"),
    "col.id": ("编号", "No."),
    "col.opened_at": ("立案时间", "Opened at"),
    "col.updated_at": ("更新时间", "Updated at"),
    "col.at": ("时间", "At"),
    "col.author": ("经办人", "By"),
    "col.note": ("备注", "Note"),
    "col.username": ("用户名", "Username"),
    "col.role": ("角色", "Role"),
    "col.employers": ("所属单位", "Employers"),
    "col.disabled": ("已停用", "Disabled"),
    "col.must_change_password": ("需修改密码", "Must change password"),
    "col.created_at": ("创建时间", "Created at"),
    "col.kind": ("类型", "Kind"),
    "col.file_name": ("文件名", "File name"),
    "col.sha256": ("文件指纹（SHA-256）", "Fingerprint (SHA-256)"),
    "col.uploaded_at": ("上传时间", "Uploaded at"),
    "col.uploaded_by": ("上传人", "Uploaded by"),
    "col.rows": ("读取行数", "Rows read"),
    "col.errors": ("有问题的行", "Rows with a problem"),
    "col.wage": ("月工资", "Monthly wage"),
    "col.work_permit_date": ("工作许可日期", "Work permit date"),
    "col.employment_type": ("用工形式", "Employment type"),
    "col.days_late_fee": ("滞纳天数", "Days late"),
    "kind.passport": ("护照", "Passport"),
    "kind.travel_permit": ("往来内地（大陆）通行证", "Travel permit"),
    "upload.roster": ("花名册", "Roster"),
    "upload.registry": ("登记数据", "Registry extract"),
    "finding.not_in_registry": ("登记系统无记录", "Not in the registry"),
    "finding.date_mismatch": ("参保日期不一致", "Dates differ"),
    "finding.roster_date_missing": ("花名册缺参保日期", "Roster date missing"),
    "finding.not_in_roster": ("花名册中没有", "Not on the roster"),
    "finding.multiple_employers": ("多家单位同时申报", "On several employers' rosters"),
    "city.beijing": ("北京市", "Beijing"),
    "city.shanghai": ("上海市", "Shanghai"),
    "city.shenzhen": ("深圳市", "Shenzhen"),
    "city.guangzhou": ("广州市", "Guangzhou"),
    "employment.full_time": ("全日制", "Full-time"),
    "employment.part_time": ("非全日制", "Part-time"),
    "employment.retired": ("退休返聘", "Re-employed retiree"),
    "employment.intern": ("实习", "Intern"),
    "employment.dispatched": ("劳务派遣", "Dispatched"),
    "employment.service": ("劳务关系", "Service contract"),
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
    "agency.source_registry": ("该单位在经办机构登记数据中：是否登记、何时登记以登记数据为准"
                               "（不采用花名册上的参保日期），因此与人事页面按花名册得出的逾期人员可能不同；差异见下方该单位的比对结果。",
                               "This employer is in the agency's registry: whether and when its employees were "
                               "registered is what the registry says, not the roster's dates, so the overdue people "
                               "may differ from the HR page's; the cross-check findings below explain the difference."),
    "agency.source_roster": ("该单位不在经办机构登记数据中：按其花名册上的参保日期判断。",
                             "This employer is not in the agency's registry: its roster's registration dates stand."),
    "agency.employer_findings": ("该单位的比对结果（{count} 条）", "This employer's cross-check findings ({count})"),
    "agency.case_exists": ("该单位已有未结案件（编号 {case}，{state}），未重复立案。",
                           "This employer already has an open case (no. {case}, {state}); no second case opened."),
    "agency.case_reason": ("截至 {as_of}，{count} 名员工未按期办理社会保险登记",
                           "{count} employees unregistered as of {as_of}"),
    "agency.case_closed": ("案件已结案，不能再推进。", "The case is closed."),
    "case.open": ("已立案", "Open"),
    "case.notified": ("已通知", "Notified"),
    "case.rectified": ("已整改", "Rectified"),
    "case.closed": ("已结案", "Closed"),
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
    "store.unavailable": ("无法打开数据库（SHEBAO_DB），请联系管理员；原因已记入服务器日志。",
                          "The database (SHEBAO_DB) cannot be opened: ask the administrator; the reason is in "
                          "the server log."),
    "check_timed_out": ("检查超过了时间上限，已停止。请拆分文件后分批上传。",
                        "The check ran past its time limit and was stopped. Split the file and upload the parts "
                        "separately."),
    "result_too_large": ("检查结果过大，未能返回。请每次上传更少或更小的文件。",
                         "The check's result is too large to return. Check fewer or smaller files at a time."),
    "auth.fields_empty": ("未收到用户名或密码，登录未进行。请输入后再点击“登录 / Sign in”。",
                          "No username or password arrived, so nothing was signed in: type both, then press "
                          "“登录 / Sign in”."),
    "auth.session_expired": ("登录已过期（长时间未操作或超过最长登录时间），请重新登录。",
                             "Your sign-in expired (idle too long, or past its longest duration): please sign in "
                             "again."),
    "auth.signed_out_elsewhere": ("您已在本浏览器的其他标签页退出登录，请重新登录。",
                                  "You were signed out in another tab of this browser: please sign in again."),
    "auth.session_moved": ("此会话已在另一个浏览器中打开，为安全起见已退出登录。请重新登录。",
                           "This session was opened from another browser: you were signed out for safety. "
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
