"""Rendering user-written scripts and templates in Jinja2's sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from jinja2 import ChainableUndefined, Template
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from ringback.core.errors import TemplateError

_ENV = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=512)
def _compile(text: str) -> Template:
    return _ENV.from_string(text)


def render_script(text: str, variables: Mapping[str, object]) -> str:
    """Render a template safely: no attribute access outside the sandbox, unknown names empty."""
    try:
        rendered = _compile(text).render(**variables)
    except JinjaError as exc:
        raise TemplateError(f"the script could not be filled in: {exc}") from None
    return " ".join(line.strip() for line in rendered.strip().splitlines() if line.strip())
