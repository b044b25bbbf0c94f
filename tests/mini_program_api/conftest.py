"""A fake WeChat served over real HTTP, and clients pointed at it.

Tests read the credentials from the fake (`fake.appid`, `fake.app.secret`,
`fake.templates`) rather than importing this module, whose name other
conftest files share.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mini_program_api import MiniProgramClient
from mini_program_api.fake_server import FakeWeChat, serve_in_thread

APPID = "wx-test-appid"
SECRET = "test-secret-0123456789abcdef"
TEMPLATES = {"vaccine": "tpl-vaccine", "booking": "tpl-booking"}
# Short timeouts keep the hang tests fast; the fake hangs for longer than the read timeout.
TIMEOUT = (0.5, 0.5)


class FakeClock:
    """The fake server's clock, moved by hand to expire codes and tokens."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def serve_fake(clock: FakeClock) -> Iterator[Callable[..., tuple[FakeWeChat, str]]]:
    """Start fakes over HTTP (options override the defaults); all stop after the test."""
    shutdowns: list[Callable[[], None]] = []

    def serve(**options: Any) -> tuple[FakeWeChat, str]:
        options = {"templates": TEMPLATES, "sandbox": True, "seed": 7, "clock": clock, **options}
        fake = FakeWeChat(APPID, SECRET, **options)
        base_url, shutdown = serve_in_thread(fake)
        shutdowns.append(shutdown)
        return fake, base_url

    yield serve
    for shutdown in shutdowns:
        shutdown()


@pytest.fixture
def served(serve_fake: Callable[..., tuple[FakeWeChat, str]]) -> tuple[FakeWeChat, str]:
    return serve_fake()


@pytest.fixture
def fake(served: tuple[FakeWeChat, str]) -> FakeWeChat:
    return served[0]


@pytest.fixture
def base_url(served: tuple[FakeWeChat, str]) -> str:
    return served[1]


@pytest.fixture
def make_client(base_url: str) -> Iterator[Callable[..., MiniProgramClient]]:
    """Clients for the fake, closed after the test; options override the defaults."""
    clients: list[MiniProgramClient] = []

    def make(**options: Any) -> MiniProgramClient:
        options = {
            "appid": APPID,
            "secret": SECRET,
            "api_base": base_url,
            "timeout": TIMEOUT,
            **options,
        }
        client = MiniProgramClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., MiniProgramClient]) -> MiniProgramClient:
    return make_client()
