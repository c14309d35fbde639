"""Setting the Wayland clipboard without keyboard focus, through the data-control protocol.

:mod:`.wire` speaks the Wayland wire format, :mod:`.data_control` the protocol (both without
Qt), :mod:`.qt_clipboard` serves them from the Qt event loop. Why a hand-written client rather
than pywayland, with measurements: DESIGN.md beside this file. Nothing here is imported on X11.
"""
