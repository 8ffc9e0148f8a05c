"""Admin: users (add, enable, disable, reset a password, unlock, role and employers) and the audit log; no personal
data. A button only notes its action, which runs after this run checked the account again and before the forms
are drawn: a refusal keeps their values, a success empties them. Beijing time, labelled; a reset password shown once."""

from collections.abc import Callable
from functools import partial

import streamlit as st

from compliance import accounts, jobs, signins
from views.presentation import MAX_EMPLOYER_LIST_CHARS, audit_action_label, audit_table, message_text, users_table
from views.runtime import engine
from views.session import k, lang, require_role, tr
from views.widgets import table

st.title(tr("page.admin"))
user = require_role("admin")  # a click on a disabled or changed account goes no further (session.enforce_account)
eng, state = engine(), st.session_state


def _add() -> None:
    accounts.add_user(eng, state[k("admin-username")], state[k("admin-role")], state[k("admin-password")],
                      accounts.parse_employers(state[k("admin-employers")]), must_change_password=True,
                      by=user.username)  # admin-set: changed at first sign-in


MANAGE = {"enable": accounts.enable_user, "disable": signins.disable_account, "reset": accounts.reset_password,
          "unlock": accounts.unlock_user}  # each returns nothing, the one-time password, or how many were cleared


def _manage(action: str) -> dict:
    target = state.get(k("admin-target"))
    done = MANAGE[action](eng, target, by=user.username)
    if action == "reset":  # shown this once: kept nowhere
        st.warning(tr("admin.one_time").format(user=target))
        st.code(done, language=None)
    return {"count": done}


def _role() -> None:
    accounts.change_role(eng, state.get(k("admin-role-user")), state[k("admin-new-role")],
                         accounts.parse_employers(state[k("admin-new-employers")]), by=user.username)


ACTIONS: dict[str, tuple[Callable[[], dict | None], str, tuple[str, ...]]] = {  # work, its user's field, emptied
    "add": (_add, "admin-username", ("admin-username", "admin-password", "admin-employers")),
    "role": (_role, "admin-role-user", ("admin-new-employers",)),
    **{action: (partial(_manage, action), "admin-target", ()) for action in MANAGE}}


error = None
if pending := state.pop("admin-pending", None):  # a button's action, noted by its on_click
    work, target, clear = ACTIONS[pending]
    try:
        params = {"user": state.get(k(target))} | (work() or {})
    except accounts.AccountError as exc:
        error = (pending, exc)
    else:
        st.success(tr(f"admin.done.{pending}").format(**params))
        state.update({k(name): "" for name in clear})


def _refusal(*actions: str) -> None:
    if error and error[0] in actions:
        st.error(message_text(error[1], lang()))


st.subheader(tr("admin.users"))
users = accounts.list_users(eng)
table(users_table(users, jobs.employer_names(eng), lang()), "admin-users")
others = [u["username"] for u in users if u["username"] != user.username]
role_label = {"format_func": lambda r: tr(f"role.{r}")}
with st.form(k("admin-add"), clear_on_submit=False):
    st.subheader(tr("admin.add"))
    st.text_input(tr("auth.username"), key=k("admin-username"), max_chars=accounts.MAX_USERNAME_CHARS)
    st.text_input(tr("auth.password"), type="password", key=k("admin-password"), max_chars=accounts.MAX_PASSWORD_CHARS)
    st.selectbox(tr("admin.role"), accounts.ROLES, key=k("admin-role"), **role_label)
    st.text_input(tr("admin.employers"), key=k("admin-employers"), max_chars=MAX_EMPLOYER_LIST_CHARS)
    st.form_submit_button(tr("admin.add"), on_click=state.__setitem__, args=("admin-pending", "add"))
_refusal("add")
if others:  # the admin's own account is managed by another admin (or ``user reset-admin``)
    with st.form(k("admin-manage"), clear_on_submit=False):
        st.subheader(tr("admin.manage"))
        st.selectbox(tr("auth.username"), others, key=k("admin-target"))
        for column, action in zip(st.columns(4), MANAGE, strict=True):
            column.form_submit_button(tr(f"admin.{action}"), on_click=state.__setitem__, args=("admin-pending", action))
    _refusal(*MANAGE)
    with st.form(k("admin-change-role"), clear_on_submit=False):
        st.subheader(tr("admin.change_role"))
        st.selectbox(tr("auth.username"), others, key=k("admin-role-user"))
        st.selectbox(tr("admin.role"), accounts.ROLES, key=k("admin-new-role"), **role_label)
        st.text_input(tr("admin.employers"), key=k("admin-new-employers"), max_chars=MAX_EMPLOYER_LIST_CHARS)
        st.form_submit_button(tr("admin.save_role"), on_click=state.__setitem__, args=("admin-pending", "role"))
    _refusal("role")
st.subheader(tr("admin.audit"))
actors, actions = accounts.audit_choices(eng)
with st.form(k("admin-audit"), clear_on_submit=False):
    c1, c2 = st.columns(2)
    c1.selectbox(tr("admin.audit_actor"), ["", *actors], key=k("audit-actor"),
                 format_func=lambda a: a or tr("admin.all"))
    c2.selectbox(tr("admin.audit_action"), ["", *actions], key=k("audit-action"),
                 format_func=lambda a: audit_action_label(a, lang()) if a else tr("admin.all"))
    c1.date_input(tr("admin.audit_from"), value=None, key=k("audit-from"), format="YYYY-MM-DD")
    c2.date_input(tr("admin.audit_to"), value=None, key=k("audit-to"), format="YYYY-MM-DD")
    st.selectbox(tr("admin.audit_size"), accounts.AUDIT_PAGE_SIZES, index=1, key=k("audit-size"))
    st.form_submit_button(tr("admin.audit_filter"), on_click=state.__setitem__, args=(k("audit-page"), 1))
try:
    log = accounts.audit_page(eng, state[k("audit-actor")] or None, state[k("audit-action")] or None,
                              state[k("audit-from")], state[k("audit-to")], state.get(k("audit-page"), 1),
                              state[k("audit-size")])
except accounts.AccountError as exc:
    st.error(message_text(exc, lang()))
else:
    state[k("audit-page")] = log.page  # cut to the pages there are, before its widget is drawn
    st.number_input(tr("admin.audit_page"), min_value=1, max_value=log.pages, step=1, key=k("audit-page"))
    st.caption(tr("admin.audit_pages").format(page=log.page, pages=log.pages, total=log.total) if log.total
               else tr("admin.audit_none"))
    table(audit_table(log.entries, lang()), "admin-audit-log")
