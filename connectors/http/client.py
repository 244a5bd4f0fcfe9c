"""HTTP access to a source: token auth, retries with backoff and jitter, 429, a deadline.

The ``httpx.Client`` is injected (``MockTransport`` in unit tests, a loopback server in
integration tests). Every httpx exception is translated here: callers only see
:class:`TransientSourceError` (worth retrying, already retried), :class:`AuthError` and
:class:`SourceError`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from connectors.messages import msg
from doisoat.errors import AuthError, ErrorContext, SourceError, TransientSourceError


class _RetryAfter(TransientSourceError):
    def __init__(self, *args: Any, retry_after: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class DeadlineExceeded(TransientSourceError):
    """The pull's overall deadline passed; not retried."""


@dataclass
class RetryPolicy:
    attempts: int = 6
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    jitter: float = 0.5
    timeout: float = 30.0
    max_retry_after: float = 120.0


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class SourceClient:
    """JSON GETs against one source's API, with the retry and auth rules every pull shares."""

    def __init__(self, client: httpx.Client, *, source: str, token: str | None = None,
                 credentials: tuple[str, str] | None = None, token_path: str = "/auth/token",
                 policy: RetryPolicy | None = None, deadline_seconds: float = 600.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        self.client = client
        self.source = source
        self.token = token
        self.credentials = credentials
        self.token_path = token_path
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.deadline = clock() + deadline_seconds
        self.deadline_seconds = deadline_seconds
        self.rng = rng or random.Random()
        self.attempts_made = 0

    # --- auth -----------------------------------------------------------------------------

    def _login(self) -> None:
        if not self.credentials:
            return
        user, password = self.credentials
        response = self._send("POST", self.token_path,
                              json={"username": user, "password": password})
        if response.status_code in (401, 403):
            raise self._auth_error(response.status_code)
        body = self._json(response)
        self.token = body.get("access_token")

    def _auth_error(self, status: int) -> AuthError:
        return AuthError(f"{self.source} refused our credentials ({status})",
                         message_vi=msg("http_auth", source=self.source, status=status),
                         context=ErrorContext(source=self.source))

    # --- requests -------------------------------------------------------------------------

    def _remaining(self) -> float:
        return self.deadline - self.clock()

    def _check_deadline(self) -> None:
        if self._remaining() <= 0:
            raise DeadlineExceeded(
                f"deadline of {self.deadline_seconds}s passed for {self.source}",
                message_vi=msg("http_deadline", seconds=int(self.deadline_seconds),
                               source=self.source),
                context=ErrorContext(source=self.source))

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self._check_deadline()
        timeout = max(0.1, min(self.policy.timeout, self._remaining()))
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.attempts_made += 1
        try:
            return self.client.request(method, path, headers=headers, timeout=timeout, **kwargs)
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise self._transient(f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise SourceError(f"{self.source}: {exc}", message_vi=msg(
                "http_status", source=self.source, status="-", detail=str(exc)),
                context=ErrorContext(source=self.source)) from exc

    def _transient(self, detail: str) -> TransientSourceError:
        return TransientSourceError(
            f"{self.source}: {detail}",
            message_vi=msg("http_transient", source=self.source,
                           attempts=self.policy.attempts, detail=detail),
            context=ErrorContext(source=self.source))

    def _json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            # A truncated body (connection cut mid-answer) is worth another try.
            raise self._transient(f"invalid JSON ({len(response.content)} bytes): {exc}") from exc

    def _once(self, path: str, params: dict[str, Any]) -> tuple[Any, httpx.Headers]:
        if self.token is None and self.credentials:
            self._login()
        response = self._send("GET", path, params=params)
        if response.status_code == 401 and self.credentials:
            self.token = None
            self._login()
            response = self._send("GET", path, params=params)
        if response.status_code in (401, 403):
            raise self._auth_error(response.status_code)
        if response.status_code == 429:
            wait = _retry_after_seconds(response.headers.get("Retry-After"))
            raise _RetryAfter(f"{self.source}: 429 Too Many Requests",
                              message_vi=msg("http_transient", source=self.source,
                                             attempts=self.policy.attempts, detail="429"),
                              context=ErrorContext(source=self.source),
                              retry_after=min(wait if wait is not None else 1.0,
                                              self.policy.max_retry_after))
        if response.status_code >= 500:
            raise self._transient(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise SourceError(
                f"{self.source}: HTTP {response.status_code}",
                message_vi=msg("http_status", source=self.source, status=response.status_code,
                               detail=response.text[:200]),
                context=ErrorContext(source=self.source))
        return self._json(response), response.headers

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        base = min(self.policy.backoff_max,
                   self.policy.backoff_initial * 2 ** (state.attempt_number - 1))
        wait = base + self.rng.uniform(0, self.policy.jitter * base)
        if isinstance(error, _RetryAfter):
            wait = max(wait, error.retry_after)
        return max(0.0, min(wait, self._remaining()))

    def _stop(self, state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, DeadlineExceeded):
            return True
        return stop_after_attempt(self.policy.attempts)(state) or self._remaining() <= 0

    def get_json(self, path: str, params: dict[str, Any] | None = None
                 ) -> tuple[Any, httpx.Headers]:
        """GET ``path`` and decode its JSON, retrying transient failures within the deadline."""
        retrying = Retrying(
            retry=retry_if_exception_type(TransientSourceError),
            wait=self._wait, stop=self._stop, sleep=self.sleep, reraise=True,
        )
        try:
            return retrying(self._once, path, dict(params or {}))
        except DeadlineExceeded:
            raise
        except TransientSourceError:
            if self._remaining() <= 0:
                self._check_deadline()
            raise
