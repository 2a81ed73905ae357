"""The one-slot mailbox between capture and inference: the newest item wins, and a retired
input's late frame never overwrites a new input's."""

from __future__ import annotations

import numpy as np

from auedit.face.landmarker import Mode
from auedit.media.sources import Frame
from auedit.workers.mailbox import FrameSlot, Packet


def _packet(generation: int, index: int = 0) -> Packet:
    return Packet(Frame(index, 0.0, np.zeros((2, 2, 3), np.uint8)), Mode.IMAGE, "x", generation)


def test_newest_item_wins_and_overwrites_count_as_drops():
    slot: FrameSlot[Packet] = FrameSlot()
    slot.put(_packet(0, 1))
    slot.put(_packet(0, 2))
    assert slot.take(0).frame.index == 2 and slot.dropped == 1


def test_a_retired_inputs_late_frame_does_not_replace_the_new_inputs():
    slot: FrameSlot[Packet] = FrameSlot()
    slot.clear(generation=3)  # a new input (generation 3) opens
    slot.put(_packet(3))      # the photo's only frame
    slot.put(_packet(2))      # the old video's capture, not yet stopped, delivers once more
    item = slot.take(0)
    assert item is not None and item.generation == 3
    assert slot.take(0) is None and slot.dropped == 0
