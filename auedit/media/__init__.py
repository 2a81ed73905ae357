"""Reading images, videos, folders and cameras as RGB frames."""
