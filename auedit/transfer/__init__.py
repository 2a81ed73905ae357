"""Expression transfer: one face's expression and pose on another identity (the game face)."""
