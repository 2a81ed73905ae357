"""An edit keeps its photo's colour profile and EXIF data (`auedit.media.metadata`): written by
OpenCV alone, a wide-gamut photo's edit lost its profile and looked duller in colour-managed
viewers, and the camera's data were gone."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageCms

from auedit.cli.main import main
from auedit.media.metadata import read_metadata
from auedit.media.outputs import write_image
from auedit.media.sources import read_image

MAKE, ORIENTATION, EXIF_IFD, DATE_TAKEN = 0x010F, 0x0112, 0x8769, 0x9003


#: an ICC profile (made once: it carries the time it was made)
PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()


def _phone_photo(path, pixels: np.ndarray) -> None:
    """`pixels` stored as a phone stores a portrait shot: turned a quarter to the left, with
    EXIF orientation 6 (turn right to view), a make, a date taken and an ICC profile."""
    exif = Image.Exif()
    exif[MAKE] = "AUEdit test camera"
    exif[ORIENTATION] = 6
    exif.get_ifd(EXIF_IFD)[DATE_TAKEN] = "2026:11:23 10:00:00"
    Image.fromarray(np.ascontiguousarray(np.rot90(pixels))).save(
        path, "JPEG", quality=95, exif=exif, icc_profile=PROFILE)


def _exif(path):
    with Image.open(path) as image:
        return image.getexif(), image.info.get("icc_profile")


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_written_edits_keep_the_profile_and_exif_and_stand_upright(tmp_path, suffix):
    photo = tmp_path / "phone.jpg"
    upright = np.zeros((40, 30, 3), np.uint8)
    upright[:10] = 255  # a bright top, to see which way up it is
    _phone_photo(photo, upright)
    rgb = read_image(photo)
    assert rgb.shape == upright.shape and rgb[:10].mean() > 200  # read upright
    out = tmp_path / f"edit{suffix}"
    write_image(out, rgb, read_metadata(photo))
    exif, icc = _exif(out)
    assert icc == PROFILE
    assert exif[MAKE] == "AUEdit test camera"
    assert exif.get_ifd(EXIF_IFD)[DATE_TAKEN] == "2026:11:23 10:00:00"
    assert exif[ORIENTATION] == 1  # the pixels are upright: a viewer must not turn them again
    again = read_image(out)
    assert again.shape == upright.shape and again[:10].mean() > 200


def test_photos_without_metadata_and_other_formats_write_as_before(tmp_path):
    plain = tmp_path / "plain.png"
    Image.new("RGB", (8, 6), (10, 20, 30)).save(plain)
    assert read_metadata(plain) is None
    assert read_metadata(tmp_path / "missing.jpg") is None  # nothing to carry, no error
    photo = tmp_path / "phone.jpg"
    _phone_photo(photo, np.full((12, 10, 3), 90, np.uint8))
    out = tmp_path / "edit.bmp"  # no metadata in this format: OpenCV writes it
    write_image(out, read_image(photo), read_metadata(photo))
    assert read_image(out).shape == (12, 10, 3)


def test_auedit_edit_keeps_a_phone_photos_metadata(demo_photo, tmp_path, capsys):
    photo = tmp_path / "portrait.jpg"
    _phone_photo(photo, read_image(demo_photo))
    out = tmp_path / "smile.jpg"
    assert main(["edit", str(photo), "--preset", "happiness", "--out", str(out)]) == 0
    exif, icc = _exif(out)
    assert icc == PROFILE and exif[MAKE] == "AUEdit test camera" and exif[ORIENTATION] == 1
    assert read_image(out).shape == read_image(demo_photo).shape


def test_damaged_exif_is_left_behind_and_the_edit_still_written(tmp_path):
    photo = tmp_path / "damaged.jpg"
    Image.new("RGB", (20, 10)).save(photo, exif=b"Exif\x00\x00" + b"\xff" * 40)
    assert read_metadata(photo) is None
    out = tmp_path / "edit.jpg"
    write_image(out, read_image(photo), read_metadata(photo))
    assert read_image(out).shape == (10, 20, 3)


def test_an_edit_keeps_the_photos_transparency(demo_photo, tmp_path, capsys):
    """A cut-out portrait's clear background came out as the colours stored under it."""
    rgb = read_image(demo_photo)
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:, :60] = 0  # clear beside the face
    alpha[:40] = 128
    src = tmp_path / "cutout.png"
    Image.fromarray(np.dstack([rgb, alpha])).save(src)
    meta = read_metadata(src)
    assert meta is not None and (meta.alpha == alpha).all()
    out = tmp_path / "edit.png"
    assert main(["edit", str(src), "--au", "12=4", "--out", str(out)]) == 0
    with Image.open(out) as written:
        assert written.mode == "RGBA" and (np.asarray(written)[..., 3] == alpha).all()
    assert main(["edit", str(src), "--au", "12=4", "--out", str(tmp_path / "e.jpg")]) == 0
    assert "has transparency, which .jpg files cannot hold" in capsys.readouterr().err
    opaque = tmp_path / "opaque.png"
    Image.fromarray(np.dstack([rgb, np.full_like(alpha, 255)])).save(opaque)
    assert read_metadata(opaque) is None  # all opaque: nothing to keep


def test_a_16_bit_photo_is_said_to_be_edited_with_8_bits(demo_photo, tmp_path, capsys):
    """A 16-bit photo's edit came out with 8 bits per channel without a word."""
    import cv2

    deep = tmp_path / "deep.png"
    cv2.imwrite(str(deep), cv2.imread(str(demo_photo)).astype(np.uint16) * 257)
    assert read_metadata(deep).bits == 16
    assert main(["edit", str(deep), "--au", "12=3", "--out", str(tmp_path / "e.png")]) == 0
    assert "has 16 bits per channel; the edit is made and written with 8" in \
        capsys.readouterr().err
    assert read_metadata(demo_photo) is None or read_metadata(demo_photo).bits == 8
