"""QR codes for certificates: zxing-cpp's C++ encoder, drawn as vectors with one rectangle per run of dark modules.

Merging each row's consecutive dark modules into one rectangle keeps the page small and fast to draw (a QR of
a verification URL has ~600 dark modules but ~250 runs), and all runs go into a single filled path.
"""

import re

import zxingcpp

_DARK_RUN = re.compile(rb"\x00+")


def qr_matrix(text: str, ec_level: str = "M") -> tuple[int, bytes]:
    """(size, modules): ``size`` x ``size`` bytes row by row, 0 for a dark module, without the quiet zone."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ec_level)
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[0]
    return size, bytes(memoryview(image))


def dark_runs(size: int, modules: bytes) -> list[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules."""
    runs = []
    for row in range(size):
        line = modules[row * size : (row + 1) * size]
        runs.extend((row, m.start(), m.end() - m.start()) for m in _DARK_RUN.finditer(line))
    return runs


def qr_path(size: int, modules: bytes) -> str:
    """The PDF path operators of the dark runs in module units (row 0 at the top, y growing downwards), filled."""
    parts = []
    for row in range(size):
        line = modules[row * size : (row + 1) * size]
        parts.extend(f"{m.start()} {row} {m.end() - m.start()} 1 re" for m in _DARK_RUN.finditer(line))
    parts.append("f")
    return "\n".join(parts)


def draw_qr(canvas, text: str, x: float, y: float, width: float) -> None:
    """Draw the QR code of ``text`` with its lower-left corner at (x, y), ``width`` points wide (no quiet zone).

    The runs are written in whole module units under one scaling transform (so each rectangle is four small
    integers, not four formatted floats), as literal path operators in one filled path."""
    size, modules = qr_matrix(text)
    module = width / size
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.translate(x, y + width)
    canvas.scale(module, -module)
    canvas.addLiteral(qr_path(size, modules))
    canvas.restoreState()
