"""Helpers the tests share (importable as `support.*`: conftest.py puts tests/ on sys.path)."""
