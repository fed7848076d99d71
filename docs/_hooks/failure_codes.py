"""mkdocs hook: replace ``<!-- failure-codes -->`` with the failure-code table, made from ``FailureCode``.

The table is never typed by hand, so it always lists every code with the
description, category and retryability the SDK itself reports.
"""

from __future__ import annotations

from typing import Any

from robomaker_deploy import FailureCode

MARKER = "<!-- failure-codes -->"


def failure_code_table() -> str:
    """The Markdown table of every known failure code."""
    rows = [
        "| Code | Description | Category | Retryable |",
        "| --- | --- | --- | --- |",
    ]
    for code in FailureCode:
        info = code.info
        description = info.description.replace("|", "\\|")
        retryable = "yes" if info.retryable else "no"
        rows.append(f"| `{code.value}` | {description} | {info.category.value} | {retryable} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """mkdocs calls this for every page; only a page with the marker changes."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, failure_code_table())
