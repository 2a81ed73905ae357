"""Smooth displacement fields on the face mesh by harmonic interpolation.

A field is fixed on "handle" vertices (where an AU or an identity component moves the skin
as authored) and on "anchor" vertices (skin that must not move), and is harmonic (the
mean of its neighbours) everywhere else. On a mesh this is one sparse linear solve, gives
smooth falloff that follows the surface, and respects openings: the lips and eyelids are
not connected across the mouth and eyes, so a field on the lower lip leaves the upper lip.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def graph_laplacian(n: int, triangles: np.ndarray) -> sp.csr_matrix:
    """Uniform graph Laplacian L = D - A of the mesh's edge graph."""
    t = np.asarray(triangles)
    i = np.concatenate([t[:, 0], t[:, 1], t[:, 2], t[:, 1], t[:, 2], t[:, 0]])
    j = np.concatenate([t[:, 1], t[:, 2], t[:, 0], t[:, 0], t[:, 1], t[:, 2]])
    adj = sp.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)).tocsr()
    adj.data[:] = 1.0  # duplicate edges count once
    return (sp.diags(np.asarray(adj.sum(axis=1)).ravel()) - adj).tocsr()


def harmonic(laplacian: sp.csr_matrix, fixed: dict[int, np.ndarray] | dict[int, float],
             ) -> np.ndarray:
    """Values at every vertex: `fixed` where given, harmonic elsewhere. Values may be
    scalars or vectors (all of one shape). Vertices in components with no fixed vertex get 0."""
    n = laplacian.shape[0]
    idx = np.fromiter(fixed.keys(), dtype=np.intp)
    vals = np.asarray([np.atleast_1d(v) for v in fixed.values()], dtype=np.float64)
    out = np.zeros((n, vals.shape[1]))
    out[idx] = vals
    free = np.setdiff1d(np.arange(n), idx)
    if free.size:
        l_ff = laplacian[free][:, free].tocsc()
        rhs = -laplacian[free][:, idx] @ vals
        # regularise a little so vertices cut off from every fixed vertex stay at 0
        solve = spla.factorized((l_ff + sp.identity(len(free)) * 1e-9).tocsc())
        out[free] = np.column_stack([solve(rhs[:, k]) for k in range(vals.shape[1])])
    return out if vals.shape[1] > 1 else out[:, 0]
