"""The local protocol between the command line and a running tray or agent; no Qt.

Kept empty on purpose: the fast ``token`` path imports :mod:`tray_app.ipc.client` and nothing more.
"""
