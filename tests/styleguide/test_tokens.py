"""A theme is one file: every stylesheet (portal.css and each feature's) takes every
colour and size from tokens.css, and
the colour pairs the pages use meet WCAG 2.1 AA contrast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "css"
TOKENS = (CSS / "tokens.css").read_text()
# portal.css and every feature stylesheet (e.g. segments.css): all rules but the tokens.
RULES = "\n".join(path.read_text() for path in sorted(CSS.glob("*.css")) if path.name != "tokens.css")


def strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def declared_tokens() -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", strip_comments(TOKENS)))


def resolve(name: str) -> str:
    tokens = declared_tokens()
    value = tokens[name].strip()
    while (match := re.fullmatch(r"var\((--[\w-]+)\)", value)) is not None:
        value = tokens[match.group(1)].strip()
    return value


def declarations() -> list[tuple[str, str, str]]:
    """(selector, property, value) for every declaration in the stylesheets, media queries included."""
    css = strip_comments(RULES)
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for declaration in body.split(";"):
            if ":" in declaration:
                prop, value = declaration.split(":", 1)
                found.append((selector.strip(), prop.strip(), value.strip()))
    return found


LITERAL_COLOUR = re.compile(r"#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklch|oklab|color)\(", re.I)
NAMED_COLOUR = re.compile(r"\b(?:white|black|red|green|blue|gray|grey|orange|yellow|purple|pink|navy|silver)\b", re.I)
LITERAL_LENGTH = re.compile(r"(?<![\w-])-?\d*\.?\d+(?:px|rem|em|ch|vh|vw|pt|%)")
ALLOWED_LITERALS = {"100%"}  # full width


def test_portal_css_uses_only_tokens():
    problems = []
    for selector, prop, value in declarations():
        colours = LITERAL_COLOUR.findall(value) + NAMED_COLOUR.findall(value)
        lengths = [v for v in LITERAL_LENGTH.findall(value) if v not in ALLOWED_LITERALS]
        if colours or lengths:
            problems.append(f"{selector} {{ {prop}: {value} }}")
    assert problems == [], "use a custom property from tokens.css instead of:\n" + "\n".join(problems)


def test_every_token_used_is_declared():
    used = set(re.findall(r"var\((--[\w-]+)\)", RULES))
    assert used - set(declared_tokens()) == set()


def luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


TEXT = 4.5  # WCAG 2.1 AA, normal text
NON_TEXT = 3.0  # WCAG 2.1 AA, 1.4.11: input borders, toggles, the focus ring
PAIRS = [
    ("--color-text", "--color-bg", TEXT),
    ("--color-text", "--color-surface", TEXT),
    ("--color-text-muted", "--color-bg", TEXT),
    ("--color-text-muted", "--color-surface", TEXT),
    ("--color-primary", "--color-surface", TEXT),
    ("--color-primary", "--color-bg", TEXT),
    ("--color-primary-hover", "--color-surface", TEXT),
    ("--color-primary-text", "--color-primary", TEXT),
    ("--color-primary-text", "--color-primary-hover", TEXT),
    ("--color-success-text", "--color-success-bg", TEXT),
    ("--color-success-text", "--color-surface", TEXT),
    ("--color-info-text", "--color-info-bg", TEXT),
    ("--color-warning-text", "--color-warning-bg", TEXT),
    ("--color-error-text", "--color-error-bg", TEXT),
    ("--color-error-text", "--color-surface", TEXT),
    ("--color-banner-text", "--color-banner-bg", TEXT),
    ("--color-step-todo", "--color-surface", TEXT),
    ("--color-border-input", "--color-surface", NON_TEXT),
    ("--color-focus", "--color-surface", NON_TEXT),
    ("--color-focus", "--color-bg", NON_TEXT),
    ("--color-toggle-off", "--color-surface", NON_TEXT),
    ("--color-toggle-on", "--color-surface", NON_TEXT),
    ("--color-toggle-knob", "--color-toggle-off", NON_TEXT),
    ("--color-toggle-knob", "--color-toggle-on", NON_TEXT),
]


@pytest.mark.parametrize(("foreground", "background", "minimum"), PAIRS, ids=lambda v: str(v))
def test_colour_pairs_meet_wcag_aa(foreground, background, minimum):
    ratio = contrast(resolve(foreground), resolve(background))
    assert ratio >= minimum, f"{foreground} on {background}: {ratio:.2f}:1, needs {minimum}:1"


# Weights and stacking are theme decisions too (issue 21, defect 14): only tokens.
TOKEN_ONLY_PROPERTIES = ("font-weight", "z-index")


@pytest.mark.parametrize("prop", TOKEN_ONLY_PROPERTIES)
def test_weights_and_layers_come_from_tokens(prop):
    literal = [
        f"{selector} {{ {p}: {value} }}"
        for selector, p, value in declarations()
        if p == prop and re.fullmatch(r"var\(--[\w-]+\)", value) is None
    ]
    assert literal == [], "use a --font-weight-… or --layer-… token from tokens.css instead of:\n" + "\n".join(literal)
