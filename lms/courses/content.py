"""What a material's content may be: rich text cleaned by nh3 (an allow-list of tags and attributes), and
video links turned into privacy-friendly embed addresses (YouTube via youtube-nocookie, Vimeo's player)."""

import re
from urllib.parse import parse_qs, urlsplit

import nh3
from markupsafe import escape

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "sub", "sup", "mark", "small",
    "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
    "a", "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
_TAG = re.compile(r"<[a-zA-Z/!]")


def sanitise_html(text: str) -> str:
    """HTML safe to show as is. Plain text (no tags) becomes paragraphs; HTML keeps only the allowed tags and
    attributes (no scripts, styles, event handlers, images or javascript: links); links open in a new tab."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
        text = "".join(f"<p>{'<br>'.join(str(escape(line)) for line in p.split(chr(10)))}</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    ).strip()


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"}
_VIMEO_PATH = re.compile(r"^/(?:video/)?(\d+)(?:/([0-9a-f]+))?/?$")


def video_embed_url(url: str | None) -> str | None:
    """The embed address of a YouTube or Vimeo link, or None (the link is then shown as a plain link)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    video_id = None
    if host == "youtu.be":
        video_id = parts.path.strip("/").split("/")[0]
    elif host in _YOUTUBE_HOSTS:
        segments = [s for s in parts.path.split("/") if s]
        if parts.path == "/watch":
            video_id = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            video_id = segments[1]
    if video_id is not None:
        return f"https://www.youtube-nocookie.com/embed/{video_id}" if _YOUTUBE_ID.match(video_id) else None
    if host in ("vimeo.com", "www.vimeo.com", "player.vimeo.com"):
        match = _VIMEO_PATH.match(parts.path)
        if match:
            private_hash = match.group(2) or (parse_qs(parts.query).get("h") or [""])[0]
            suffix = f"?h={private_hash}" if re.fullmatch(r"[0-9a-f]+", private_hash or "") else ""
            return f"https://player.vimeo.com/video/{match.group(1)}{suffix}"
    return None
