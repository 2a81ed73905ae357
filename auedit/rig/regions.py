"""Named groups of MediaPipe face-mesh vertices (the rig's topology is MediaPipe's mesh).

Indices follow MediaPipe's published face-mesh contours. "Left" is the subject's left, which
in the canonical face lies at positive x. Only the subject's-left groups of paired features
are listed; `mirror_index` gives the other side.
"""

from __future__ import annotations

import numpy as np

LIPS_UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LIPS_LOWER_OUTER = (146, 91, 181, 84, 17, 314, 405, 321, 375)
LIPS_UPPER_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LIPS_LOWER_INNER = (95, 88, 178, 87, 14, 317, 402, 318, 324)
LIPS_UPPER_MID = (184, 74, 73, 72, 11, 302, 303, 304, 408, 183, 42, 41, 38, 12, 268, 271, 272,
                  407)
LIPS_LOWER_MID = (96, 89, 179, 86, 15, 316, 403, 319, 325, 77, 90, 180, 85, 16, 315, 404, 320,
                  307)
MOUTH_CORNERS_LEFT = (291, 308, 409, 375, 415, 324, 407, 408, 325, 307, 306, 292)

# the subject's left eye (positive x)
EYE_UPPER0 = (466, 388, 387, 386, 385, 384, 398)
EYE_LOWER0 = (263, 249, 390, 373, 374, 380, 381, 382, 362)
EYE_UPPER1 = (467, 260, 259, 257, 258, 286, 414)
EYE_LOWER1 = (359, 255, 339, 254, 253, 252, 256, 341, 463)
EYE_UPPER2 = (342, 445, 444, 443, 442, 441, 413)
EYE_LOWER2 = (446, 261, 448, 449, 450, 451, 452, 453, 464)
EYE_LOWER3 = (372, 340, 346, 347, 348, 349, 350, 357, 465)
EYE_CORNERS = (263, 362)  # outer, inner
#: The openings as closed contours: the left eye's lid margins (upper outwards-in, then the
#: lower back; the right eye is its mirror image), and the inner lips (upper corner to
#: corner, then the lower back).
EYE_OPENING = EYE_UPPER0 + tuple(reversed(EYE_LOWER0))
MOUTH_OPENING = LIPS_UPPER_INNER + tuple(reversed(LIPS_LOWER_INNER))

BROW_UPPER = (383, 300, 293, 334, 296, 336, 285, 417)
BROW_LOWER = (265, 353, 276, 283, 282, 295)
BROW_INNER = (336, 296, 285, 295, 282, 417)
BROW_OUTER = (383, 300, 293, 265, 353, 276)

NOSE_WING = (327, 294, 358, 279, 331, 360, 278, 439, 455, 460, 328, 326, 290, 305, 289, 392,
             309, 459, 438, 344, 440, 363, 456, 399, 420, 429)
NOSE_MIDLINE = (168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 164)
NOSE_LEFT = (351, 419, 248, 281, 275, 274, 354, 370, 462, 250, 457, 461, 412, 465, 464)

CHEEK = (425, 411, 280, 352, 346, 347, 330, 266, 426, 436, 427, 416, 376, 433, 434, 432,
         430, 431, 262, 428, 369, 395, 394, 422, 424, 418, 421, 367, 364, 430)
CHIN = (152, 175, 199, 200, 18, 148, 377, 171, 396, 208, 428, 201, 421, 194, 418, 32, 262,
        369, 400, 176, 140, 170, 169, 211, 210, 214, 135, 138, 192, 149, 150, 136)
FOREHEAD = (10, 338, 297, 332, 284, 109, 67, 103, 54, 21, 151, 337, 299, 333, 298, 301, 108,
            69, 104, 68, 71, 9, 107, 66, 105, 63, 70, 156, 139, 336, 296, 334, 293, 300, 383)
SILHOUETTE = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
              400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54,
              103, 67, 109)
JAW_LINE = (288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58)
EAR_SIDE = (234, 127, 162, 93, 132, 454, 356, 389, 323, 361)


def mirror_index(vertices: np.ndarray) -> np.ndarray:
    """For each vertex, the index of its mirror image across x = 0 (the mesh is symmetric)."""
    flipped = vertices * np.array([-1.0, 1.0, 1.0])
    d = np.linalg.norm(vertices[None, :, :] - flipped[:, None, :], axis=-1)
    return np.argmin(d, axis=1)


def both(group: tuple[int, ...], mirror: np.ndarray) -> tuple[int, ...]:
    """A left-side group together with its mirror."""
    return tuple(sorted(set(group) | {int(mirror[i]) for i in group}))
