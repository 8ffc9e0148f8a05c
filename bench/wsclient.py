"""A dashboard session over Streamlit's own wire protocol, without a browser (load test client).

A browser tab talks to the server through one WebSocket (protobuf `BackMsg` up, `ForwardMsg`
down) and uploads files with an HTTP PUT. This client does exactly that, with the protobuf
classes Streamlit ships, so 20 sessions cost the load machine a few threads instead of 20
Chromium renderers competing with the server for the same 2 cores. What it measures is the
server as a user with their own browser sees it: from asking for an upload URL to the first
results arriving on the socket.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import ClientConnection, connect

XSRF_COOKIE = "_streamlit_xsrf"
SIGN_IN_PATH = "/_shebao/sign-in"  # views.gateway.SIGN_IN_PATH


class ProtocolError(RuntimeError):
    """The server said or did something a browser would show as an error."""


@dataclass
class Session:
    """One dashboard session: a WebSocket plus the cookies a browser would hold."""

    url: str
    timeout: float = 60.0
    http: requests.Session = field(default_factory=requests.Session)
    ws: ClientConnection | None = None
    session_id: str = ""
    elements: list[Element] = field(default_factory=list)
    states: dict[str, WidgetState] = field(default_factory=dict)
    run_current: bool = False  # a run started after our last request: its elements are the page now
    _resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def open(self, resume: str | None = None) -> None:
        """Get the XSRF cookie (the health check sets it, and the gateway's browser cookie, as for the
        browser) and connect; ``resume``: the id of a session to resume, as a reconnecting tab does."""
        self.http.get(f"{self.url}/_stcore/health", timeout=self.timeout).raise_for_status()
        xsrf = self.http.cookies.get(XSRF_COOKIE, "")
        parts = urlsplit(self.url)
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.ws = self._resources.enter_context(connect(
            f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit", xsrf, *([resume] if resume else [])],
            origin=self.url,
            additional_headers={"Cookie": cookie}, open_timeout=self.timeout, max_size=None))

    def close(self) -> None:
        self._resources.close()
        self.http.close()

    def rerun(self, changed: list[WidgetState] | None = None) -> None:
        """What the browser sends on load and on every widget change: every widget value it holds
        (a button's trigger only with the run it triggers)."""
        for state in changed or []:
            self.states[state.id] = state
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        msg.rerun_script.widget_states.widgets.extend(self.states.values())
        self.states = {k: v for k, v in self.states.items() if v.WhichOneof("value") != "trigger_value"}
        self.run_current = False
        self._send(msg)

    def _send(self, msg: BackMsg) -> None:
        assert self.ws is not None
        self.ws.send(msg.SerializeToString())

    def receive(self) -> ForwardMsg:
        assert self.ws is not None
        msg = ForwardMsg()
        msg.ParseFromString(self.ws.recv(timeout=self.timeout))
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id
            self.elements = []
            self.run_current = True
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            self.elements.append(element)
            if element.WhichOneof("type") == "exception":
                raise ProtocolError(f"the app raised {element.exception.type}: {element.exception.message}")
            if element.WhichOneof("type") == "alert" and element.alert.format == element.alert.ERROR:
                raise ProtocolError(f"the page shows an error: {element.alert.body[:200]}")
        return msg

    def wait_for(self, found: Callable[[Element], bool], what: str) -> Element:
        """Read messages until an element matching ``found`` arrives in a run started after our last
        request (never one left from an earlier run); bounded by the timeout."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            msg = self.receive()
            if (self.run_current and msg.WhichOneof("type") == "delta" and self.elements
                    and found(self.elements[-1])):
                return self.elements[-1]
        raise TimeoutError(f"no {what} within {self.timeout:.0f} s")

    def wait_finished(self) -> None:
        """Read messages until the current run has sent the whole page."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            msg = self.receive()
            if (self.run_current and msg.WhichOneof("type") == "script_finished"
                    and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY):
                return
        raise TimeoutError(f"page not complete within {self.timeout:.0f} s")

    def widget(self, kind: str, label: str) -> Element:
        """The latest rendered widget of ``kind`` whose label is ``label``."""
        for element in reversed(self.elements):
            if element.WhichOneof("type") == kind and getattr(element, kind).label == label:
                return element
        raise ProtocolError(f"no {kind} labelled {label!r} on the page")

    def sign_in(self, username: str, password: str, labels: tuple[str, str, str]) -> None:
        """Fill the sign-in form (labels of shared README section 9) and press its button."""
        user_label, password_label, button_label = labels
        self.wait_for(lambda e: e.WhichOneof("type") == "button" and e.button.label == button_label,
                      "sign-in form")
        user = WidgetState(id=self.widget("text_input", user_label).text_input.id, string_value=username)
        secret = WidgetState(id=self.widget("text_input", password_label).text_input.id, string_value=password)
        button = WidgetState(id=self.widget("button", button_label).button.id, trigger_value=True)
        self.rerun([user, secret, button])

    def take_sign_in_cookie(self) -> None:
        """What the page's script does in a browser after a sign-in: exchange the one-time ticket the
        page shows for the HttpOnly sign-in cookie (views.gateway), so that a reload stays signed in."""
        self.wait_for(lambda e: e.WhichOneof("type") == "html" and SIGN_IN_PATH in e.html.body, "sign-in ticket")
        body = next(e.html.body for e in reversed(self.elements)
                    if e.WhichOneof("type") == "html" and SIGN_IN_PATH in e.html.body)
        ticket = re.search(r"body: '([^']+)'", body)
        if ticket is None:
            raise ProtocolError("the page's sign-in script carries no ticket")
        response = self.http.post(f"{self.url}{SIGN_IN_PATH}", data=ticket.group(1), timeout=self.timeout)
        if response.status_code != 204:
            raise ProtocolError(f"sign-in cookie refused: HTTP {response.status_code}")

    def upload(self, uploader: Element, name: str, data: bytes, content_type: str = "text/csv") -> None:
        """The browser's upload: ask for a URL, PUT the file there, rerun with the uploader's value."""
        request_id = uuid.uuid4().hex
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.session_id = self.session_id
        msg.file_urls_request.file_names.append(name)
        self._send(msg)
        urls: FileURLs | None = None
        deadline = time.monotonic() + self.timeout
        while urls is None and time.monotonic() < deadline:
            reply = self.receive()
            if reply.WhichOneof("type") == "file_urls_response" and reply.file_urls_response.response_id == request_id:
                urls = reply.file_urls_response.file_urls[0]
        if urls is None:
            raise TimeoutError(f"no upload URL within {self.timeout:.0f} s")
        response = self.http.put(f"{self.url}{urls.upload_url}", files={"file": (name, data, content_type)},
                                 headers={"X-Xsrftoken": self.http.cookies.get(XSRF_COOKIE, "")},
                                 timeout=self.timeout)
        if response.status_code >= 400:
            raise ProtocolError(f"upload refused: HTTP {response.status_code}")
        state = WidgetState(id=uploader.file_uploader.id)
        state.file_uploader_state_value.uploaded_file_info.append(
            UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id, file_urls=urls))
        self.rerun([state])

    def check_upload(self, username: str, password: str, labels: tuple[str, str, str], name: str, data: bytes,
                     metric_label: str) -> Element:
        """A whole visit: load the page, sign in, upload one file, wait for the metric labelled
        ``metric_label`` and stay until the page is complete; returns that metric."""
        self.rerun()
        self.sign_in(username, password, labels)
        uploader = self.wait_for(lambda e: e.WhichOneof("type") == "file_uploader", "file uploader")
        self.upload(uploader, name, data)
        shown = self.wait_for(lambda e: e.WhichOneof("type") == "metric" and e.metric.label == metric_label,
                              metric_label)
        self.wait_finished()
        return shown
