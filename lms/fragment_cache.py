"""``{% cache "name", value, ... %} ... {% endcache %}``: a template fragment rendered once per set of values.

base.html wraps its navigation and its footer in it: they are the same on every page for a given locale,
application root, user (role and name), current path and CSRF token, and rendering them cost more than the
whole floor page of the benchmark (bench/README.md). The values listed ARE the key: a fragment must depend on
nothing else, so anything new shown in a cached block must be added to its key. Like the catalogue's cards
(lms/events/catalogue.py), the rendered HTML is kept in a small per-process LRU; nothing is cached while
templates auto-reload (debug), so an edited template shows at once.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import nodes
from jinja2.ext import Extension

CACHE_SIZE = 2048


class FragmentCache:
    """A small thread-safe LRU of rendered HTML fragments (one per application and kind of fragment); a value of
    None is never kept."""

    _items: "OrderedDict[Hashable, Any]"

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, render: Callable[[], Any]) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return value
        value = render()
        with self._lock:
            self.misses += 1
            self._items[key] = value
            if len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class FragmentCacheExtension(Extension):
    tags = {"cache"}

    def __init__(self, environment):
        super().__init__(environment)
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        environment.extend(fragment_cache=self)

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        key = nodes.Tuple(values, "load")
        return nodes.CallBlock(self.call_method("_render", [key]), [], [], body).set_lineno(lineno)

    def _render(self, key, caller):
        if self.environment.auto_reload:
            return caller()
        try:
            with self._lock:
                html = self._items.get(key)
                if html is not None:
                    self._items.move_to_end(key)
                    return html
        except TypeError:  # an unhashable value: render it every time
            return caller()
        html = caller()
        with self._lock:
            self._items[key] = html
            if len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
