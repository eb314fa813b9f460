"""Buttons on the organiser's event page, contributed by the features that work on an event.

A feature calls ``register_event_tool("attendance.sessions", _l("Presensi"))`` when its views module is
imported; the event page shows one button per tool (the endpoint takes ``event_id``). The events feature
so needs to know nothing about the features built on it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class EventTool:
    endpoint: str
    label: object  # a lazy string
    order: int = 50


_TOOLS: dict[str, EventTool] = {}
_PARTICIPANT_TOOLS: dict[str, EventTool] = {}


def register_event_tool(endpoint: str, label, order: int = 50) -> None:
    _TOOLS[endpoint] = EventTool(endpoint, label, order)


def event_tools() -> list[EventTool]:
    return sorted(_TOOLS.values(), key=lambda tool: (tool.order, tool.endpoint))


def register_participant_tool(endpoint: str, label, order: int = 50) -> None:
    """A link shown to a participant with an approved enrolment ("Pelatihan saya" card and event page)."""
    _PARTICIPANT_TOOLS[endpoint] = EventTool(endpoint, label, order)


def participant_tools() -> list[EventTool]:
    return sorted(_PARTICIPANT_TOOLS.values(), key=lambda tool: (tool.order, tool.endpoint))
