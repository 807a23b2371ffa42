"""A real SMTP server on 127.0.0.1 for the tests: STARTTLS required, AUTH LOGIN/PLAIN, scripted refusals,
connections counted; and a server that drops every connection."""
from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "canbo@ninhthuan.example", "mat-khau-thu"


@dataclass
class Handler:
    received: list = field(default_factory=list)
    refuse: set = field(default_factory=set)
    busy_once: set = field(default_factory=set)  # recipients answered "451 try later" on their first message
    data_answers: dict = field(default_factory=dict)  # recipient -> the answer to every DATA for it
    connections: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if address in self.data_answers:
                return self.data_answers[address]
            if address in self.busy_once:
                self.busy_once.discard(address)
                return "451 4.3.0 Try again later"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and \
        auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CountingController(Controller):
    def factory(self):
        """Called once per connection."""
        self.handler.connections += 1
        return super().factory()


class SmtpServer:
    """Start with ``with SmtpServer(tmp_path) as server``; ``server.env`` holds the BDG_SMTP_* settings."""

    def __init__(self, folder):
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.cafile = folder / "ca.pem"
        ca.cert_pem.write_to_path(str(self.cafile))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.handler = Handler()
        self.port = _free_port()
        self.controller = CountingController(self.handler, hostname="127.0.0.1", port=self.port, tls_context=context,
                                     require_starttls=True, authenticator=_authenticate, auth_require_tls=True)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        self.handler.connections = 0  # the controller's own test connection
        self.env = {"BDG_SMTP_HOST": "127.0.0.1", "BDG_SMTP_PORT": str(self.port),
                    "BDG_SMTP_SECURITY": "starttls", "BDG_SMTP_USER": USER, "BDG_SMTP_FROM": USER,
                    "BDG_SMTP_PASSWORD": PASSWORD, "BDG_SMTP_CAFILE": str(self.cafile),
                    "BDG_SMTP_RETRY_PAUSE": "0"}
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class DroppingServer:
    """Accepts connections and closes them at once, as an overloaded server or a broken network does."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def __enter__(self) -> "DroppingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()
        self.socket.close()
