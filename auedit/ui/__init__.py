"""The Qt desktop app: widgets only (threads live in `auedit.workers`)."""
