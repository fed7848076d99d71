"""Pagers: every listing as an ``async for``, with resume tokens and bounded prefetch.

botocore's paginator resumes only where ``max_items`` cut it, mutates its
input (so a second iteration continues instead of restarting), loops forever
on a repeated token and fetches strictly on demand. A :class:`Pager`:

* starts from ``starting_token`` every time it is iterated;
* keeps ``resume_token`` current after every item, so a consumer that stops
  mid-page resumes at the very next item;
* fetches page N+1 while the consumer handles page N (``prefetch``), in the
  owning client's background tasks, and cancels that fetch when the consumer is
  cancelled;
* raises :class:`PaginationLoopError` on a token it has already seen;
* can merge several request streams (one per status filter value), newest
  first, each item once.

Throttling and transient errors inside a page fetch are retried by the
transport with backoff, so a long listing slows down rather than restarts;
if retries run out the error propagates and ``resume_token`` still says
where to pick up.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable, Sequence
from typing import Any, Generic, TypeVar

import anyio
import attrs

from ._errors import PaginationLoopError, ValidationError

__all__ = ["Page", "PageSource", "Pager"]

T = TypeVar("T")

PageSource = Callable[[str | None, int | None], Awaitable["Page[T]"]]
"""Fetches the page at a service token (``None``: the first) with at most that many items."""

Spawn = Callable[[Callable[[], Coroutine[Any, Any, None]]], anyio.CancelScope]
"""Starts a coroutine function that may outlive one ``__anext__``; returns its cancel scope."""

_TOKEN_PREFIX = "rmd1."


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a listing: its items and the service token of the next page (``None`` on the last)."""

    items: tuple[T, ...]
    next_token: str | None = None


@attrs.frozen
class _Position:
    """Where a stream's next unread item is: the page's service token and an offset into it."""

    token: str | None
    offset: int = 0


def _encode(positions: Sequence[_Position | None]) -> str:
    raw = json.dumps([None if p is None else [p.token, p.offset] for p in positions], separators=(",", ":"))
    return _TOKEN_PREFIX + base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(token: str | None, streams: int) -> list[_Position | None]:
    if token is None:
        return [_Position(None)] * streams
    if not token.startswith(_TOKEN_PREFIX):
        if streams != 1:
            raise ValidationError(
                "starting_token",
                repr(token),
                "must be a resume_token of this listing (several status filters)",
            )
        return [_Position(token)]
    try:
        raw = json.loads(base64.urlsafe_b64decode(token[len(_TOKEN_PREFIX) :].encode()))
        positions = [None if p is None else _Position(str(p[0]) if p[0] else None, int(p[1])) for p in raw]
    except (ValueError, TypeError, IndexError) as exc:
        raise ValidationError("starting_token", repr(token), "is not a token this SDK produced") from exc
    if len(positions) != streams:
        raise ValidationError(
            "starting_token",
            repr(token),
            f"was made for a listing of {len(positions)} stream(s), not {streams}",
        )
    return positions


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


class _Stream(Generic[T]):
    """Reads one request stream item by item, tracking the position of the next unread item."""

    def __init__(
        self, source: PageSource[T], start: _Position | None, page_size: int | None, spawn: Spawn | None
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
    def position(self) -> _Position | None:
        """Where the next unread item is; ``None`` once the stream is exhausted."""
        if self.exhausted:
            return None
        if self._index < len(self._items):
            return _Position(self._page_token, self._index)
        if not self._started:
            return _Position(self._next_token, self._skip)
        return _Position(self._next_token) if self._next_token else None

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
            self._index = len(self._items) - len(page.items)
        if self.exhausted:
            return None
        return self._items[self._index]

    def take(self) -> None:
        """Consume the item ``peek()`` returned."""
        self._index += 1

    def close(self) -> None:
        """Stop any background fetch."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None


class Pager(Generic[T]):
    """A listing you iterate with ``async for``; each iteration starts at ``starting_token``.

    * ``async for item in pager`` yields items, fetching pages lazily;
    * ``pager.pages()`` yields :class:`Page` objects;
    * ``await pager.collect()`` returns a list (at most ``max_items``);
    * ``pager.resume_token`` is where the last iteration stopped (``None``
      once a listing ran to its end): pass it back as ``starting_token``.

    Several ``sources`` (one request stream per filter value) are merged by
    ``order`` (smallest first) and deduplicated by ``key``.
    """

    def __init__(
        self,
        sources: Sequence[PageSource[T]],
        *,
        key: Callable[[T], Hashable] | None = None,
        order: Callable[[T], Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
        spawn: Spawn | None = None,
        max_page_size: int | None = None,
    ) -> None:
        if not sources:
            raise ValueError("a Pager needs at least one source")
        if len(sources) > 1 and (key is None or order is None):
            raise ValueError("merging several sources needs a key and an order")
        self._sources = list(sources)
        self._key = key if len(sources) > 1 else None
        self._order = order
        _check_int("page_size", page_size, 1, max_page_size)
        _check_int("max_items", max_items, 1, None)
        _check_int("prefetch", prefetch, 0, 1)
        self._page_size = page_size
        self._max_items = max_items
        self._starting_token = starting_token
        self._prefetch = prefetch
        self._spawn = spawn
        _decode(starting_token, len(self._sources))  # a bad token fails here, at the call site
        self.resume_token: str | None = starting_token
        """Where the most recent iteration stopped; ``None`` after a listing ran to its end."""

    def _streams(self) -> list[_Stream[T]]:
        spawn = self._spawn if self._prefetch else None
        starts = _decode(self._starting_token, len(self._sources))
        return [
            _Stream(src, start, self._page_size, spawn)
            for src, start in zip(self._sources, starts, strict=True)
        ]

    def _remember(self, streams: Sequence[_Stream[T]]) -> None:
        positions = [s.position for s in streams]
        self.resume_token = None if all(p is None for p in positions) else _encode(positions)

    def __aiter__(self) -> AsyncIterator[T]:
        walk = _Walk(self)
        return _Iteration(walk, walk.item)

    async def _next(self, streams: Sequence[_Stream[T]], seen: set[Hashable]) -> T | None:
        while True:
            if len(streams) == 1:
                best = streams[0]
                item = await best.peek()
                if item is None:
                    return None
            else:
                heads = []
                for index, stream in enumerate(streams):
                    head = await stream.peek()
                    if head is not None:
                        assert self._order is not None
                        heads.append((self._order(head), index, head))
                if not heads:
                    return None
                _, index, item = min(heads, key=lambda head: head[:2])
                best = streams[index]
            best.take()
            if self._key is None:
                return item
            key = self._key(item)
            if key not in seen:
                seen.add(key)
                return item

    def pages(self) -> AsyncIterator[Page[T]]:
        """Yield whole pages (for a merged listing: batches of ``page_size`` items in merge order)."""
        walk = _Walk(self)
        return _Iteration(walk, walk.page)

    async def collect(self) -> list[T]:
        """Every item (at most ``max_items``) in a list."""
        return [item async for item in self]


class _Walk(Generic[T]):
    """One iteration of a pager: its streams, what it has handed out, and how it stops.

    The iterators over it are classes rather than async generators: an async
    generator abandoned by ``break`` is finalized later by the event loop (and
    trio warns about each one), while these just drop their prefetch.
    """

    def __init__(self, pager: Pager[T]) -> None:
        self._pager = pager
        self._streams = pager._streams()
        self._seen: set[Hashable] = set()
        self._count = 0
        self._closed = False

    def _room(self) -> int | None:
        limit = self._pager._max_items
        return None if limit is None else limit - self._count

    async def item(self) -> T | None:
        """The next item, or ``None`` at the end (or at ``max_items``)."""
        room = self._room()
        item = await self._pager._next(self._streams, self._seen) if room is None or room > 0 else None
        if item is not None:
            self._count += 1
        self._pager._remember(self._streams)
        return item

    async def page(self) -> Page[T] | None:
        """The next page, or ``None`` at the end (or at ``max_items``)."""
        if len(self._streams) > 1:
            # A merged listing has no service pages of its own: batch the merge.
            batch: list[T] = []
            while len(batch) < (self._pager._page_size or 100):
                item = await self.item()
                if item is None:
                    break
                batch.append(item)
            return Page(items=tuple(batch), next_token=self._pager.resume_token) if batch else None
        room = self._room()
        stream = self._streams[0]
        page = await stream.next_page() if room is None or room > 0 else None
        if page is not None and room is not None and len(page.items) > room:
            stream._index -= len(page.items) - room  # the items cut off stay unread
            page = Page(items=page.items[:room], next_token=page.next_token)
        self._pager._remember(self._streams)
        if page is None:
            return None
        self._count += len(page.items)
        return Page(items=page.items, next_token=self._pager.resume_token)

    def close(self) -> None:
        """Stop any background fetch (idempotent)."""
        if not self._closed:
            self._closed = True
            for stream in self._streams:
                stream.close()

    def __del__(self) -> None:
        # Abandoned mid-listing (a ``break``): the page being prefetched is not needed.
        self.close()


U = TypeVar("U")


class _Iteration(AsyncIterator[U]):
    """Steps through a walk until the step says ``None``; closes the walk on the way out."""

    def __init__(self, walk: _Walk[Any], step: Callable[[], Awaitable[U | None]]) -> None:
        self._walk = walk
        self._step = step

    def __aiter__(self) -> _Iteration[U]:
        return self

    async def __anext__(self) -> U:
        try:
            value = await self._step()
        except BaseException:
            self._walk.close()
            raise
        if value is None:
            self._walk.close()
            raise StopAsyncIteration
        return value


def _check_int(name: str, value: int | None, low: int, high: int | None) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValidationError(name, repr(value), f"must be an integer {bounds}")
