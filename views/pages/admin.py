"""Admin: users (add, list, disable). No personal data here."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from compliance import accounts, signins
from views.presentation import MAX_EMPLOYER_LIST_CHARS, message_text
from views.runtime import engine
from views.session import k, lang, require_role, tr
from views.widgets import table

st.title(tr("page.admin"))
user = require_role("admin")
eng = engine()
if flash := st.session_state.pop("admin-flash", None):  # what the last action did, after the rerun that shows it
    st.success(tr(flash))
st.subheader(tr("admin.users"))
table(pd.DataFrame(accounts.list_users(eng)), "admin-users")  # roles by their label (presentation.CODE_LABELS)
with st.form(k("admin-add"), clear_on_submit=True):
    st.subheader(tr("admin.add"))
    username = st.text_input(t_user := tr("auth.username"), key=k("admin-username"),
                             max_chars=accounts.MAX_USERNAME_CHARS)
    password = st.text_input(tr("auth.password"), type="password", key=k("admin-password"),
                             max_chars=accounts.MAX_PASSWORD_CHARS)
    role = st.selectbox(tr("admin.role"), accounts.ROLES, format_func=lambda r: tr(f"role.{r}"), key=k("admin-role"))
    employers = st.text_input(tr("admin.employers"), key=k("admin-employers"), max_chars=MAX_EMPLOYER_LIST_CHARS)
    if st.form_submit_button(tr("admin.add")):
        try:
            accounts.add_user(eng, username, role, password, [e.strip() for e in employers.split(",") if e.strip()],
                              must_change_password=True, by=user.username)  # admin-set: changed at first sign-in
        except accounts.AccountError as exc:
            st.error(message_text(exc, lang()))
        else:  # the table and the disable list above show the new user at once
            st.session_state["admin-flash"] = "admin.done"
            st.rerun()
with st.form(k("admin-disable")):
    st.subheader(tr("admin.disable"))
    target = st.selectbox(t_user, [u["username"] for u in accounts.list_users(eng) if u["username"] != user.username],
                          key=k("admin-disable-user"))
    if st.form_submit_button(tr("admin.disable")) and target:
        signins.disable_account(eng, target, by=user.username)
        st.session_state["admin-flash"] = "admin.done"
        st.rerun()
