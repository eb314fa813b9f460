"""QR codes drawn by zxing-cpp as inline SVG (no script, no external request)."""

import re

import zxingcpp
from markupsafe import Markup, escape

_SIZE = re.compile(r'<svg width="(\d+)" height="(\d+)"')


def qr_svg(text: str, label: str = "") -> Markup:
    """An SVG element that scales to its container (viewBox, no fixed size) encoding ``text``."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    svg = barcode.to_svg()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE: inline in HTML
    match = _SIZE.search(svg)
    width, height = match.group(1), match.group(2)
    svg = _SIZE.sub(
        f'<svg viewBox="0 0 {width} {height}" class="qr-svg" role="img" aria-label="{escape(label)}"'
        ' shape-rendering="crispEdges" preserveAspectRatio="xMidYMid meet"',
        svg,
        count=1,
    )
    svg = re.sub(r"<desc>.*?</desc>", "", svg)
    return Markup(svg)  # noqa: S704 - our own SVG; the only outside text (label) is escaped above
