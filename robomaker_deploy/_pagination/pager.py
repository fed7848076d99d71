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

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from .._errors import ValidationError
from .stream import Page, PageSource, Spawn, Stream
from .tokens import decode, encode

__all__ = ["Pager"]

T = TypeVar("T")


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
        decode(starting_token, len(self._sources))  # a bad token fails here, at the call site
        self.resume_token: str | None = starting_token
        """Where the most recent iteration stopped; ``None`` after a listing ran to its end."""

    def _walk(self) -> _Walk[T]:
        spawn = self._spawn if self._prefetch else None
        starts = decode(self._starting_token, len(self._sources))
        streams = [
            Stream(src, start, self._page_size, spawn)
            for src, start in zip(self._sources, starts, strict=True)
        ]
        return _Walk(
            streams,
            key=self._key,
            order=self._order,
            max_items=self._max_items,
            batch=self._page_size or 100,
            remember=self._remember,
        )

    def _remember(self, token: str | None) -> None:
        self.resume_token = token

    def __aiter__(self) -> AsyncIterator[T]:
        walk = self._walk()
        return _Iteration(walk, walk.item)

    def pages(self) -> AsyncIterator[Page[T]]:
        """Yield whole pages (for a merged listing: batches of ``page_size`` items in merge order)."""
        walk = self._walk()
        return _Iteration(walk, walk.page)

    async def collect(self) -> list[T]:
        """Every item (at most ``max_items``) in a list."""
        return [item async for item in self]


class _Walk(Generic[T]):
    """One iteration of a pager: its streams, the merge, what it has handed out, and how it stops.

    ``remember`` is told the resume token after every step. The iterators
    over a walk are classes rather than async generators: an async generator
    abandoned by ``break`` is finalized later by the event loop (and trio
    warns about each one), while these just drop their prefetch.
    """

    def __init__(
        self,
        streams: Sequence[Stream[T]],
        *,
        key: Callable[[T], Hashable] | None,
        order: Callable[[T], Any] | None,
        max_items: int | None,
        batch: int,
        remember: Callable[[str | None], None],
    ) -> None:
        self._streams = streams
        self._key = key
        self._order = order
        self._max_items = max_items
        self._batch = batch
        self._remember = remember
        self._seen: set[Hashable] = set()
        self._count = 0
        self._closed = False

    def _room(self) -> int | None:
        return None if self._max_items is None else self._max_items - self._count

    def _record(self) -> str | None:
        positions = [s.position for s in self._streams]
        token = None if all(p is None for p in positions) else encode(positions)
        self._remember(token)
        return token

    async def _next(self) -> T | None:
        """The next item in merge order, each key once; ``None`` when every stream is exhausted."""
        streams = self._streams
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
            if key not in self._seen:
                self._seen.add(key)
                return item

    async def item(self) -> T | None:
        """The next item, or ``None`` at the end (or at ``max_items``)."""
        room = self._room()
        item = await self._next() if room is None or room > 0 else None
        if item is not None:
            self._count += 1
        self._record()
        return item

    async def page(self) -> Page[T] | None:
        """The next page, or ``None`` at the end (or at ``max_items``)."""
        if len(self._streams) > 1:
            # A merged listing has no service pages of its own: batch the merge.
            batch: list[T] = []
            while len(batch) < self._batch:
                item = await self.item()
                if item is None:
                    break
                batch.append(item)
            return Page(items=tuple(batch), next_token=self._record()) if batch else None
        room = self._room()
        stream = self._streams[0]
        page = await stream.next_page() if room is None or room > 0 else None
        if page is not None and room is not None and len(page.items) > room:
            stream.put_back(len(page.items) - room)  # the items cut off stay unread
            page = Page(items=page.items[:room], next_token=page.next_token)
        token = self._record()
        if page is None:
            return None
        self._count += len(page.items)
        return Page(items=page.items, next_token=token)

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
