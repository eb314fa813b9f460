"""``?next=`` only ever goes to a page of ours."""

from urllib.parse import urlsplit


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a local path (``/...``), else None.

    Refuses absolute URLs, scheme-relative ``//host``, backslash tricks (``/\\host``) and control characters.
    """
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
