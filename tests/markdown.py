"""Markdown as a user's editor renders it: GFM with tables, linkify and raw HTML on (markdown-it-py; VS Code
renders hovers with marked, which follows the same GFM rules)."""

from __future__ import annotations

from typing import Any


def tokens(markdown: str) -> list[Any]:
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like", {"html": True, "linkify": True}).parse(markdown)


def html(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like", {"html": True, "linkify": True}).render(markdown)


def active(markdown: str) -> list[str]:
    """Every token that would load, link or inject something: images, links (autolinks and linkified URLs
    included) and raw HTML."""
    found: list[str] = []
    stack = list(tokens(markdown))
    while stack:
        token = stack.pop()
        if token.type in ("image", "link_open", "html_inline", "html_block"):
            found.append(f"{token.type}: {token.attrs or token.content!r}")
        stack.extend(token.children or [])
    return found
