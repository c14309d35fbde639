"""Data files shipped inside the package: ``icons/`` holds the SVG app and tray-state icons.

They live inside :mod:`tray_app` (not at the top level as DESIGN.md first sketched) so that the
wheel, an editable install and a frozen bundle all find them through ``importlib.resources``.
"""
