"""Listings as ``async for``: a listing goes pager -> stream -> client call.

* ``pager``: :class:`Pager`, what the client's ``list_*`` methods return, and
  one iteration of it (the merge of several streams, ``max_items``, the
  resume token after every item);
* ``stream``: one request stream read item by item, with one page prefetched;
* ``tokens``: the SDK's resume tokens (a position per stream).
"""

from .pager import Pager
from .stream import Page

__all__ = ["Page", "Pager"]
