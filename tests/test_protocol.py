"""The dashboard under a crafted WebSocket client (Streamlit's own wire protocol, bench/wsclient.py).

Any client, signed in or not, may send Streamlit's ``clear_cache`` back-message. Before the fix it
emptied the cache that held the checking processes: ten such messages took the server from 3
processes / 284 MB to 21 processes / 1.9 GB, and a signed-in check went from 1.7 s to 15.7 s
(issue "Sessions and accounts that hold under attack", finding 3). Here: ten messages from an
anonymous session, then the server's process count and memory are what they were, and a
signed-in HR check still completes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.load import SIGN_IN_LABELS, make_roster, process_tree, rss_mib
from bench.wsclient import Session
from compliance import beijing
from compliance.i18n import t
from scripts.devserver import streamlit_server

PASSWORD = "correct horse battery staple"
EMPLOYER = "911101055347017256"  # bench.load.make_roster's employer


STORE_URL: list[str] = []  # the module server's store, for tests that change an account behind its back


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    from compliance import accounts, store

    url = f"sqlite:///{tmp_path_factory.mktemp('protocol') / 'app.sqlite'}"
    accounts.add_user(store.connect(url), "hr", "hr", PASSWORD, [EMPLOYER])
    accounts.add_user(store.connect(url), "hr-tabs", "hr", PASSWORD, [EMPLOYER])
    STORE_URL[:] = [url]
    with streamlit_server(url) as (base, proc):
        yield base, proc.pid


def settled_processes(pid: int, seconds: float = 20) -> list[int]:
    """The server's process tree once it has stopped changing for two seconds (workers start and warm up)."""
    deadline, last, since = time.monotonic() + seconds, None, time.monotonic()
    while time.monotonic() < deadline:
        now = sorted(process_tree(pid))
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= 2:
            break
        time.sleep(0.25)
    return last or []


def test_clear_cache_from_an_anonymous_client_changes_nothing(server: tuple[str, int], tmp_path: Path) -> None:
    base, pid = server
    attacker = Session(base, timeout=60)
    attacker.open()
    try:
        attacker.rerun()
        attacker.wait_finished()  # the sign-in page: the server has started its checking processes
        before, memory_before = settled_processes(pid), rss_mib(pid)
        assert len(before) >= 2  # the server and at least one checking process
        for _ in range(10):
            msg = BackMsg()
            msg.clear_cache = True
            attacker._send(msg)
            attacker.rerun()  # as the browser does after clearing: the page is built again
            attacker.wait_finished()
        after, memory_after = settled_processes(pid), rss_mib(pid)
    finally:
        attacker.close()
    assert after == before  # the same processes, none replaced, none added
    assert memory_after - memory_before < 100, (memory_before, memory_after)

    roster = tmp_path / "roster.csv"
    make_roster(roster, 2_000, seed=7)
    user = Session(base, timeout=120)
    user.open()
    try:
        shown = user.check_upload("hr", PASSWORD, SIGN_IN_LABELS, roster.name, roster.read_bytes(),
                                  t("status.overdue", "zh"))
        # the count the engine gives for the same file (bench.load.make_roster's roster)
        from compliance.jobs import check_uploads

        result, _ = check_uploads([(roster.name, roster.read_bytes())], beijing.today())
        want = int((result.results["status"] == "overdue").sum())
        assert want > 0 and int(shown.metric.body.replace(",", "")) == want
    finally:
        user.close()
    assert sorted(process_tree(pid)) == before  # the check ran on the same workers


def test_an_anonymous_client_cannot_upload(server: tuple[str, int]) -> None:
    """Streamlit takes an upload (HTTP PUT) before any page code runs: nobody signed in, nothing held.

    Before the guard, 8 anonymous uploads of 100 MB took the server from 207 MB to 1,285 MB."""
    from bench.wsclient import XSRF_COOKIE

    base, pid = server
    attacker = Session(base, timeout=60)
    attacker.open()
    try:
        attacker.rerun()
        attacker.wait_finished()  # the sign-in form: nobody signed in on this session
        msg = BackMsg()
        request_id = uuid.uuid4().hex
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.session_id = attacker.session_id
        msg.file_urls_request.file_names.append("big.csv")
        attacker._send(msg)
        while True:
            reply = attacker.receive()
            if reply.WhichOneof("type") == "file_urls_response":
                urls = reply.file_urls_response.file_urls[0]
                break
        memory_before = rss_mib(pid)
        refused = [attacker.http.put(f"{base}{urls.upload_url}", files={"file": ("big.csv", b"x" * 20 * 2**20)},
                                     headers={"X-Xsrftoken": attacker.http.cookies.get(XSRF_COOKIE, "")},
                                     timeout=60).status_code for _ in range(5)]
    finally:
        attacker.close()
    assert all(code >= 400 for code in refused), refused
    assert rss_mib(pid) - memory_before < 60  # 100 MB sent, none of it kept


# --- issue 20: a sign-in bound to its browser -----------------------------------------------------

def _signed_in(session: Session) -> bool:
    """Whether the page the session shows now is the signed-in HR page (its file uploader)."""
    session.rerun()
    session.wait_finished()
    return any(e.WhichOneof("type") == "file_uploader" for e in session.elements)


def test_a_leaked_session_id_takes_over_nothing(server: tuple[str, int]) -> None:
    """Finding 1: the session id is in every upload URL. Before the fix a second client with its own
    cookies that named it in its handshake became the signed-in HR user, the owner still connected."""
    base, _ = server
    owner, attacker = Session(base, timeout=60), Session(base, timeout=60)
    owner.open()
    try:
        owner.rerun()
        owner.sign_in("hr", PASSWORD, SIGN_IN_LABELS)
        owner.wait_for(lambda e: e.WhichOneof("type") == "file_uploader", "HR page")
        owner.wait_finished()
        leaked = owner.session_id
        attacker.open(resume=leaked)
        attacker.rerun()
        attacker.wait_finished()
        assert attacker.session_id and attacker.session_id != leaked  # a new, empty session
        labels = {e.button.label for e in attacker.elements if e.WhichOneof("type") == "button"}
        assert SIGN_IN_LABELS[2] in labels
        assert not any(e.WhichOneof("type") == "file_uploader" for e in attacker.elements)
        # nor can it put a file into the owner's session
        refused = attacker.http.put(f"{base}/_stcore/upload_file/{leaked}/x", files={"file": ("a.csv", b"a,b\n")},
                                    headers={"X-Xsrftoken": attacker.http.cookies.get("_streamlit_xsrf", "")},
                                    timeout=60)
        assert refused.status_code == 403
        assert _signed_in(owner)  # the owner is undisturbed
    finally:
        attacker.close()
        owner.close()


def test_an_anonymous_upload_is_refused_before_its_body_is_sent(server: tuple[str, int]) -> None:
    """Finding 9: an anonymous upload was spooled to disk and read into memory before the guard
    refused it. Now the answer comes on the headers alone: a client that announces 100 MB and sends
    none of it is refused at once (before, the server waited for the body)."""
    import socket
    from urllib.parse import urlsplit

    base, _ = server
    attacker = Session(base, timeout=60)
    attacker.open()
    try:
        attacker.rerun()
        attacker.wait_finished()
        parts = urlsplit(base)
        cookies = "; ".join(f"{k}={v}" for k, v in attacker.http.cookies.items())
        head = (f"PUT /_stcore/upload_file/{attacker.session_id}/f1 HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Cookie: {cookies}\r\nX-Xsrftoken: {attacker.http.cookies.get('_streamlit_xsrf', '')}\r\n"
                f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {100 * 2**20}\r\n\r\n")
        started = time.monotonic()
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
            raw.sendall(head.encode())
            answer = raw.recv(200).decode("latin-1")
        elapsed = time.monotonic() - started
    finally:
        attacker.close()
    assert answer.startswith("HTTP/1.1 403"), answer
    assert elapsed < 2, elapsed


def test_a_reload_keeps_the_sign_in_and_a_sign_out_ends_it_in_every_tab(server: tuple[str, int]) -> None:
    """Findings 1 and 18: a reload, a typed URL or a bookmark signed the user out (the sign-in lived in
    the tab's session only). Now the browser's sign-in cookie takes a new tab or a reload to the same
    sign-in; signing out in one tab ends it in the others at their next click."""
    base, _ = server
    first = Session(base, timeout=60)
    first.open()
    second = Session(base, timeout=60, http=first.http)  # the same browser: the same cookie jar
    try:
        first.rerun()
        first.sign_in("hr", PASSWORD, SIGN_IN_LABELS)
        first.take_sign_in_cookie()  # what the page's script does in the browser
        first.wait_finished()
        assert "shebao_session" in first.http.cookies
        second.open()  # a reload or a second tab: a new session, no sign-in form filled in
        assert _signed_in(second)
        sign_out = next(e for e in reversed(second.elements)
                        if e.WhichOneof("type") == "button" and e.button.label == t("auth.sign_out", "zh"))
        second.rerun([WidgetState(id=sign_out.button.id, trigger_value=True)])
        second.wait_finished()
        assert not _signed_in(second)
        assert not _signed_in(first)  # the first tab's next click: signed out as well
        assert t("auth.signed_out_elsewhere", "zh") in [e.alert.body for e in first.elements
                                                        if e.WhichOneof("type") == "alert"]
    finally:
        second.close()
        first.close()


def test_disabling_an_account_ends_its_sign_in_in_every_tab(server: tuple[str, int]) -> None:
    """An administrator disables the account: both tabs of the browser are signed out at their next
    click, and a reload does not bring the sign-in back (its cookie's token no longer holds)."""
    from compliance import accounts, store

    base, _ = server
    first = Session(base, timeout=60)
    first.open()
    second = Session(base, timeout=60, http=first.http)
    try:
        first.rerun()
        first.sign_in("hr-tabs", PASSWORD, SIGN_IN_LABELS)
        first.take_sign_in_cookie()
        first.wait_finished()
        second.open()
        assert _signed_in(second) and _signed_in(first)
        accounts.disable_user(store.connect(STORE_URL[0]), "hr-tabs", by="test")
        assert not _signed_in(first) and not _signed_in(second)
        third = Session(base, timeout=60, http=first.http)  # a reload
        third.open()
        try:
            assert not _signed_in(third)
        finally:
            third.close()
    finally:
        second.close()
        first.close()
