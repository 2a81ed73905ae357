"""`auedit edit`: targets from --au and --preset, the edited photo, and the error paths."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from auedit.cli.edit import parse_au
from auedit.cli.main import main


def test_parse_au_keys_and_values():
    assert parse_au("12=3.5") == ("AU12", 3.5)
    assert parse_au("au12l=2") == ("AU12L", 2.0)
    assert parse_au("06=1") == ("AU6", 1.0)
    for bad in ("12", "12=x", "12=6", "=3"):
        with pytest.raises(ValueError):
            parse_au(bad)


def test_edit_writes_the_photo_with_the_face_changed(demo_photo, tmp_path, capsys):
    out = tmp_path / "edited.png"
    assert main(["edit", str(demo_photo), "--preset", "surprise", "--au", "26=2",
                 "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["after"]["AU26"] == 2.0  # --au overrides the preset (3.5)
    assert data["after"]["AU2L"] == data["after"]["AU2R"] == 4.0
    assert data["before"]["AU25"] == data["after"]["AU25"]  # no preset names it: the photo's
    assert data["before"]["AU10L"] > 1.0 and data["after"]["AU10L"] == 0.0  # her bared teeth
    assert data["before"]["AU12L"] > 1.0 and data["after"]["AU12L"] == 0.0  # happiness's: 0
    original = cv2.imread(str(demo_photo))
    edited = cv2.imread(str(out))
    assert edited.shape == original.shape
    changed = np.abs(edited.astype(int) - original).max(axis=2) > 8
    assert changed.sum() > 500
    ys, xs = np.nonzero(changed)
    x0, y0, x1, y1 = data["face_box"]
    size = max(x1 - x0, y1 - y0)
    assert xs.min() > x0 - size / 2 and xs.max() < x1 + size / 2
    assert ys.min() > y0 - size / 2 and ys.max() < y1 + size / 2


def test_preset_clears_the_other_emotions_aus(demo_photo, tmp_path, capsys):
    """The astronaut smiles: "anger" sets its own AUs and takes the smile (AU6, AU12) to 0;
    so does her toothy smile's upper lip raiser (AU10); AUs no preset names keep her own
    values; --au overrides a preset's zero."""
    assert main(["edit", str(demo_photo), "--preset", "anger", "--json",
                 "--out", str(tmp_path / "anger.png")]) == 0
    data = json.loads(capsys.readouterr().out)
    before, after = data["before"], data["after"]
    assert before["AU12L"] > 1.0 and before["AU12R"] > 1.0  # her grin
    assert after["AU12L"] == after["AU12R"] == 0.0
    assert after["AU6L"] == after["AU6R"] == 0.0 and after["AU14L"] == after["AU14R"] == 0.0
    assert after["AU4L"] == after["AU4R"] == 4.0 and after["AU23"] == 3.5
    assert after["AU10L"] == after["AU10R"] == 0.0
    for kept in ("AU45L", "AU45R", "AU25", "AU17", "AU30L", "AU30R"):
        assert after[kept] == before[kept], kept
    assert main(["edit", str(demo_photo), "--preset", "anger", "--au", "12L=2", "--json",
                 "--out", str(tmp_path / "grin.png")]) == 0
    after = json.loads(capsys.readouterr().out)["after"]
    assert after["AU12L"] == 2.0 and after["AU12R"] == 0.0 and after["AU4L"] == 4.0


@pytest.mark.parametrize(("args", "message"), [
    (["--au", "99=3"], "unknown AU"),
    (["--au", "12=9"], "from 0 to 5"),
    (["--method", "magic", "--au", "12=3"], "unknown method"),
    ([], "nothing to edit"),
    (["--au", "12=3", "--face", "3"], "has 1 face"),
])
def test_bad_requests_are_one_line_errors(demo_photo, tmp_path, capsys, args, message):
    out = tmp_path / "x.png"
    assert main(["edit", str(demo_photo), *args, "--out", str(out)]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_no_face_and_corrupt_image_write_nothing(tmp_path, capsys):
    blank, corrupt = tmp_path / "blank.png", tmp_path / "corrupt.jpg"
    cv2.imwrite(str(blank), np.full((200, 200, 3), 127, np.uint8))
    corrupt.write_bytes(b"\xff\xd8 not really a jpeg")
    for path, message in ((blank, "no face found"), (corrupt, "not a readable image")):
        out = tmp_path / "x.png"
        assert main(["edit", str(path), "--au", "12=3", "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
        assert not out.exists()


def test_expression_of_another_photo(demo_photo, tmp_path, capsys):
    """The astronaut with her jaw dropped by an edit is the other photo: taking its expression
    drops the jaw about as far; --au applies on top; a photo without a face is an error."""
    dropped = tmp_path / "dropped.png"
    assert main(["edit", str(demo_photo), "--au", "26=3", "--out", str(dropped)]) == 0
    out = tmp_path / "taken.png"
    assert main(["edit", str(demo_photo), "--expression-of", str(dropped), "--au", "1=2",
                 "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert abs(data["after"]["AU26"] - 3.0) < 1.0 and data["after"]["AU1"] == 2.0
    assert out.is_file()
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 200, np.uint8))
    assert main(["edit", str(demo_photo), "--expression-of", str(blank),
                 "--out", str(tmp_path / "none.png")]) == 2
    assert "no face found in" in capsys.readouterr().err
    assert not (tmp_path / "none.png").exists()


def test_an_au_named_by_no_number_is_refused_plainly():
    """`--au 0=1` said "unknown AU 'AU'"."""
    from auedit.cli.edit import parse_au

    assert parse_au("06=1") == ("AU6", 1.0) and parse_au("au12l=2") == ("AU12L", 2.0)
    for text in ("0=1", "AU=2", "x=1"):
        with pytest.raises(ValueError, match="is not an AU"):
            parse_au(text)
