"""The editor face: LSP registration, thin handlers, progress, messages. Nothing below imports it."""
