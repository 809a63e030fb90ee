"""UI handlers: plain functions, no gradio import, testable without a server."""
