"""Batched triangle-mesh rendering in torch (colour, part labels, depth); CPU or CUDA."""

from auedit.render.camera import Camera
from auedit.render.raster import RenderOutput, rasterize, render
from auedit.render.shading import vertex_normals

__all__ = ["Camera", "RenderOutput", "rasterize", "render", "vertex_normals"]
