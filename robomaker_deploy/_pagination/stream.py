"""One request stream of a listing, read item by item with one page fetched ahead.

A stream knows the position of its next unread item (for resume tokens),
refuses to follow a token it has already followed, and prefetches the next
page in the client's background tasks while the consumer works on this one;
the prefetch is cancelled when the consumer leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, TypeVar

import anyio
import attrs

from .._errors import PaginationLoopError
from .tokens import Position

__all__ = ["Page", "PageSource", "Spawn", "Stream"]

T = TypeVar("T")

PageSource = Callable[[str | None, int | None], Awaitable["Page[T]"]]
"""Fetches the page at a service token (``None``: the first) with at most that many items."""

Spawn = Callable[[Callable[[], Coroutine[Any, Any, None]]], anyio.CancelScope]
"""Starts a coroutine function that may outlive one ``__anext__``; returns its cancel scope."""


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a listing: its items and the service token of the next page (``None`` on the last)."""

    items: tuple[T, ...]
    next_token: str | None = None


class _Prefetch(Generic[T]):
    """One page fetched in the background; ``result()`` waits for it, ``cancel()`` stops it."""

    def __init__(self, spawn: Spawn, fetch: Callable[[], Awaitable[Page[T]]]) -> None:
        self._fetch = fetch
        self._done = anyio.Event()
        self._page: Page[T] | None = None
        self._error: BaseException | None = None
        self._scope = spawn(self._run)

    async def _run(self) -> None:
        try:
            self._page = await self._fetch()
        except Exception as exc:  # handed to the consumer by result()
            self._error = exc
        finally:
            self._done.set()

    async def result(self) -> Page[T]:
        await self._done.wait()
        if self._error is not None:
            raise self._error
        if self._page is None:
            # The fetch was cancelled without the consumer being cancelled: the client closed.
            raise RuntimeError("the client was closed while this listing was fetching a page")
        return self._page

    def cancel(self) -> None:
        self._scope.cancel()


class Stream(Generic[T]):
    """Reads one request stream item by item, tracking the position of the next unread item."""

    def __init__(
        self, source: PageSource[T], start: Position | None, page_size: int | None, spawn: Spawn | None
    ) -> None:
        self._source = source
        self._page_size = page_size
        self._spawn = spawn
        self._seen: set[str] = set()
        self._items: tuple[T, ...] = ()
        self._index = 0
        self._page_token: str | None = None
        self._next_token: str | None = None
        self._pending: _Prefetch[T] | None = None
        self._skip = 0
        self.exhausted = start is None
        self._started = False
        if start is not None:
            self._next_token = start.token
            self._skip = start.offset

    @property
    def position(self) -> Position | None:
        """Where the next unread item is; ``None`` once the stream is exhausted."""
        if self.exhausted:
            return None
        if self._index < len(self._items):
            return Position(self._page_token, self._index)
        if not self._started:
            return Position(self._next_token, self._skip)
        return Position(self._next_token) if self._next_token else None

    def _fetch(self, token: str | None) -> Callable[[], Awaitable[Page[T]]]:
        async def fetch() -> Page[T]:
            return await self._source(token, self._page_size)

        return fetch

    async def next_page(self) -> Page[T] | None:
        """The rest of the current page if any, else the next page; ``None`` at the end."""
        while not self.exhausted:
            if self._index < len(self._items):
                rest = self._items[self._index :]
                self._index = len(self._items)
                return Page(items=rest, next_token=self._next_token)
            if self._started and self._next_token is None:
                self.exhausted = True
                break
            token = self._next_token
            if token is not None:
                if token in self._seen:
                    raise PaginationLoopError(
                        f"the service returned the token {token[:40]!r} twice; stopping instead of looping",
                        code="PaginationLoop",
                    )
                self._seen.add(token)
            pending, self._pending = self._pending, None
            try:
                page = await (pending.result() if pending is not None else self._fetch(token)())
            except BaseException:
                if pending is not None:
                    pending.cancel()
                raise
            self._started = True
            self._page_token = token
            self._items = page.items
            self._index = min(self._skip, len(page.items))
            self._skip = 0
            self._next_token = page.next_token
            if (
                self._next_token is not None
                and self._spawn is not None
                and self._next_token not in self._seen
            ):
                self._pending = _Prefetch(self._spawn, self._fetch(self._next_token))
        return None

    async def peek(self) -> T | None:
        """The next unread item without consuming it (fetching as needed)."""
        while not self.exhausted and self._index >= len(self._items):
            page = await self.next_page()
            if page is None:
                return None
            # next_page() consumed the rest; step back so peek/take see it.
            self.put_back(len(page.items))
        if self.exhausted:
            return None
        return self._items[self._index]

    def take(self) -> None:
        """Consume the item ``peek()`` returned."""
        self._index += 1

    def put_back(self, count: int) -> None:
        """Make the last ``count`` items handed out from the current page unread again."""
        self._index = max(0, self._index - count)

    def close(self) -> None:
        """Stop any background fetch."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
