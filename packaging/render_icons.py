"""Render AUEdit's app icon (`resources/icons/auedit.svg`) to the PNG sizes a desktop needs and a
Windows `.ico`.

Run after editing the SVG (the outputs are kept in the repository, so installs and bundles need
no SVG renderer): `python packaging/render_icons.py`. Uses QtSvg from PySide6-Essentials; the
`.ico` holds the PNG renders (Windows Vista and later read PNG entries), so Pillow is not needed.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SVG = ICONS / "auedit.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 32, 48, 64, 128, 256)  # 256 is the largest size an .ico entry can have


def png_path(size: int) -> Path:
    """Where the PNG render of `size` x `size` pixels lives."""
    return ICONS / f"auedit-{size}.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The SVG drawn on a transparent, antialiased square of `size` pixels."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico file whose entries are the given PNGs (size -> PNG data)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in pngs.items():
        side = size % 256  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"render_icons: cannot read {SVG}", file=sys.stderr)
        return 1
    pngs = {size: png_bytes(render(renderer, size)) for size in PNG_SIZES}
    for size, data in pngs.items():
        png_path(size).write_bytes(data)
    (ICONS / "auedit.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    print(f"render_icons: wrote {len(pngs)} PNGs and auedit.ico to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
