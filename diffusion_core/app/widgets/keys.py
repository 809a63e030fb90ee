"""Typed values apply on Enter and on leaving the box alike, and arrow keys move a slider like the pointer does.

gradio's slider sends `release` on pointer-up of the range and on blur of its number box (not on Enter, nor on
arrow keys, which send only `input`), and gr.Number sends `submit` on Enter (not on blur). Tabs compute on a
slider's `release` and a number's `submit`, so: Enter in a slider's box and a key-up of a navigation key on its
range send the slider's pointer-up (its `release`); leaving a gr.Number box whose text changed sends its
Enter (its `submit`). One page script, in an empty hidden block built outside the tabs (`keys_script`, placed
by app/layout.py): tabs mount when first opened, so a script carried by a tab's block would be missing from a page
opened on a tab without one."""

from __future__ import annotations

import gradio as gr

KEYS_JS = """
window.difflabKeys ??= (() => {
  const NAV = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);
  const inSlider = el => !!(el.closest('.block') && el.closest('.block').querySelector('input[type=range]'));
  const release = el => el.dispatchEvent(new PointerEvent('pointerup', {bubbles: true}));
  const typed = new WeakMap();
  document.addEventListener('keyup', e => {
    const el = e.target;
    if (!(el instanceof HTMLInputElement)) return;
    if (el.type === 'range' && NAV.has(e.key)) release(el);
    else if (el.type === 'number' && e.key === 'Enter' && inSlider(el)) release(el);
  }, true);
  document.addEventListener('focusin', e => {
    const el = e.target;
    if (el instanceof HTMLInputElement && el.type === 'number') typed.set(el, el.value);
  }, true);
  document.addEventListener('keypress', e => {
    const el = e.target;
    if (el instanceof HTMLInputElement && el.type === 'number' && e.key === 'Enter') typed.set(el, el.value);
  }, true);
  document.addEventListener('focusout', e => {
    const el = e.target;
    if (!(el instanceof HTMLInputElement) || el.type !== 'number' || inSlider(el)) return;
    if (typed.get(el) === el.value) return;
    typed.set(el, el.value);
    el.dispatchEvent(new KeyboardEvent('keypress', {key: 'Enter', bubbles: true}));
  }, true);
  return true;
})();
"""


def keys_script() -> gr.HTML:
    """The block that installs KEYS_JS: empty, hidden by the served CSS (LIVE_CSS, class `page-script`)."""
    return gr.HTML(
        "",
        html_template="",
        js_on_load=KEYS_JS,
        apply_default_css=False,
        container=False,
        padding=False,
        elem_classes="page-script",
    )
