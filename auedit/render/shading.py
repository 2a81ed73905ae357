"""Vertex normals and the stylised shading (Lambert + ambient + a little Blinn-Phong specular)."""

from __future__ import annotations

import torch


def vertex_normals(vertices: torch.Tensor, triangles: torch.Tensor) -> torch.Tensor:
    """(B, V, 3) unit vertex normals: the sum of the area-weighted normals of adjacent faces.

    Faces are oriented by their winding: counter-clockwise as seen from the camera (camera
    space x right, y down, z forward) gives a normal pointing towards the camera (-z).
    Vertices on no face get (0, 0, 0).
    """
    tris = triangles.to(device=vertices.device, dtype=torch.int64)
    c = vertices[:, tris]  # (B, T, 3, 3)
    face = torch.linalg.cross(c[:, :, 1] - c[:, :, 0], c[:, :, 2] - c[:, :, 0], dim=-1)
    normals = torch.zeros_like(vertices)
    for i in range(3):
        normals.index_add_(1, tris[:, i], face)
    return torch.nn.functional.normalize(normals, dim=-1, eps=1e-20)


def shade(albedo: torch.Tensor, normal: torch.Tensor, view: torch.Tensor, light: torch.Tensor,
          ambient: float, diffuse: float, specular: float, shininess: float,
          two_sided: bool) -> torch.Tensor:
    """Colour of N points: albedo * (ambient + diffuse * max(n.l, 0)) + specular * max(n.h, 0)^s.

    albedo (N, 3), normal (N, 3) unit, view (N, 3) or (3,) unit direction from the point towards
    the camera, light (3,) unit direction from the surface towards the light. With
    ``two_sided`` normals facing away from the camera are flipped (eyelid insides, cavities).
    """
    if two_sided:
        facing = (normal * view).sum(-1, keepdim=True)
        normal = torch.where(facing < 0, -normal, normal)
    lambert = (normal @ light).clamp_min(0)[:, None]
    half = torch.nn.functional.normalize(view + light, dim=-1)
    spec = (normal * half).sum(-1, keepdim=True).clamp_min(0) ** shininess
    return (albedo * (ambient + diffuse * lambert) + specular * spec).clamp(0, 1)
