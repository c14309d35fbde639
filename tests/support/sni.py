"""What a StatusNotifierItem host sees and sends, over the real session bus.

A tray on KDE, on GNOME with the AppIndicator extension and in waybar draws an app's icon from
its ``org.kde.StatusNotifierItem`` properties and its menu from ``com.canonical.dbusmenu``;
a click on the icon is the item's ``Activate`` call and a click on a menu entry is the menu's
``Event(id, "clicked", …)``. The clicks go through ``busctl`` exactly as a host sends them;
the reading (properties, the menu layout) uses jeepney, which returns typed values.
"""

from __future__ import annotations

import dataclasses
import subprocess
from typing import Any

from jeepney import DBusAddress, Properties, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
ITEM_PATH = "/StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
TIMEOUT = 10.0


def _call(bus: str, message: Any) -> tuple[Any, ...]:
    with open_dbus_connection(bus=bus) as connection:
        reply = connection.send_and_get_reply(message, timeout=TIMEOUT)
    return tuple(reply.body)


def bus_has_name(bus: str, name: str) -> bool:
    """Whether ``name`` has an owner on ``bus`` (False while the bus is not up)."""
    try:
        return bool(_call(bus, message_bus.NameHasOwner(name))[0])
    except OSError:
        return False


def registered_items(bus: str) -> list[str]:
    """The watcher's ``RegisteredStatusNotifierItems`` ("service" or "service/path")."""
    watcher = DBusAddress(WATCHER_PATH, bus_name=WATCHER, interface=WATCHER)
    (value,) = _call(bus, Properties(watcher).get("RegisteredStatusNotifierItems"))
    return list(value[1])


@dataclasses.dataclass(frozen=True)
class MenuEntry:
    id: int
    label: str
    enabled: bool
    children: tuple[MenuEntry, ...]


def _entry(node: tuple[int, dict[str, tuple[str, Any]], list[Any]]) -> MenuEntry:
    entry_id, props, children = node
    label = props.get("label", ("s", ""))[1]
    enabled = props.get("enabled", ("b", True))[1]
    return MenuEntry(entry_id, label, enabled, tuple(_entry(child[1]) for child in children))


class TrayItem:
    """One registered StatusNotifierItem, seen and clicked as a tray host does."""

    def __init__(self, bus: str, registered: str) -> None:
        service, _, path = registered.partition("/")
        self.bus, self.service, self.path = bus, service, f"/{path}" if path else ITEM_PATH

    def property(self, name: str) -> Any:
        item = DBusAddress(self.path, bus_name=self.service, interface=ITEM)
        (value,) = _call(self.bus, Properties(item).get(name))
        return value[1]

    def menu_path(self) -> str:
        return str(self.property("Menu"))

    def menu(self) -> MenuEntry:
        """The whole menu after ``AboutToShow(0)``, as a host asks before showing it."""
        menu = DBusAddress(self.menu_path(), bus_name=self.service, interface=MENU)
        _call(self.bus, new_method_call(menu, "AboutToShow", "i", (0,)))
        _revision, layout = _call(self.bus, new_method_call(menu, "GetLayout", "iias", (0, -1, [])))
        return _entry(layout)

    def labels(self) -> list[str]:
        return [entry.label for entry in self.menu().children]

    def activate(self) -> None:
        """A left click on the icon: ``Activate(x, y)``."""
        self._busctl(self.path, ITEM, "Activate", "ii", "0", "0")

    def click(self, label: str) -> None:
        """A click on the top-level entry labelled ``label`` (DBusMenu marks mnemonics with "_")."""
        entry = next((e for e in self.menu().children if e.label == label), None)
        if entry is None:
            raise AssertionError(f"no menu entry {label!r} in {self.labels()}")
        args = ("isvu", str(entry.id), "clicked", "i", "0", "0")
        self._busctl(self.menu_path(), MENU, "Event", *args)

    def _busctl(self, path: str, interface: str, method: str, *args: str) -> None:
        command = ["busctl", f"--address={self.bus}", "call", self.service, path, interface]
        subprocess.run([*command, method, *args], check=True, capture_output=True, timeout=TIMEOUT)
