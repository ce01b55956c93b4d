"""Small HTML pieces the widgets show: a link styled as a button, a field with a copy button."""

from __future__ import annotations

import html

__all__ = ["copy_field", "disabled_link_button", "link_button"]

#: ipywidgets' own button classes, so a link looks like the widgets' buttons in Lab, Notebook and Voila.
_BUTTON_CLASSES = "jupyter-button widget-button mod-primary"
_BUTTON_STYLE = (
    "display:inline-flex;align-items:center;width:auto;padding:0 14px;text-decoration:none;"
    "white-space:nowrap;box-sizing:border-box"
)

# Copy with the Clipboard API where the page may (https or localhost), else the older
# execCommand; when neither works the field is selected and the button says to press Ctrl+C.
_COPY_SCRIPT = (
    "const box=this.parentNode.querySelector('input');box.focus();box.select();"
    "const say=t=>{this.textContent=t;setTimeout(()=>{this.textContent='Copy'},2500)};"
    "const old=()=>{let ok=false;try{ok=document.execCommand('copy')}catch(e){}"
    "say(ok?'Copied':'Press Ctrl+C')};"
    "if(navigator.clipboard&&window.isSecureContext){"
    "navigator.clipboard.writeText(box.value).then(()=>say('Copied'),old)}else{old()}"
)


def link_button(url: str, text: str, *, title: str = "") -> str:
    """An ``<a target=_blank>`` that looks like a primary widget button and opens ``url`` in a new tab."""
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer" '
        f'class="{_BUTTON_CLASSES}" style="{_BUTTON_STYLE}" title="{html.escape(title)}">'
        f"{html.escape(text)}</a>"
    )


def disabled_link_button(text: str, hint: str) -> str:
    """The same button, greyed out and inert, with why beside it (plain text, escaped)."""
    return (
        f'<span class="{_BUTTON_CLASSES}" aria-disabled="true" '
        f'style="{_BUTTON_STYLE};opacity:0.45;cursor:not-allowed">{html.escape(text)}</span> '
        f"<span style='color:#555;margin-left:8px'>{html.escape(hint)}</span>"
    )


def copy_field(value: str, *, label: str) -> str:
    """A read-only text field holding ``value`` (select it by hand if scripts are off) and a Copy button."""
    return (
        "<div style='display:flex;align-items:center;gap:6px;flex-wrap:wrap'>"
        f"<span>{html.escape(label)}</span>"
        f'<input type="text" readonly value="{html.escape(value)}" size="{len(value) + 2}" '
        f'aria-label="{html.escape(label)}" onfocus="this.select()" '
        "style='font-family:monospace;padding:2px 4px;border:1px solid #ccc;background:#f7f7f7'>"
        f'<button type="button" class="jupyter-button widget-button" style="width:auto;padding:0 10px" '
        f'onclick="{html.escape(_COPY_SCRIPT)}">Copy</button>'
        "</div>"
    )
