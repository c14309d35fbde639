#!/bin/sh
# Installs Token Tray for you alone: no administrator password needed.
#
#   ./install.sh            install (or update) Token Tray and add it to the application menu
#   ./install.sh --remove   remove it again (your profiles and saved secrets are kept)
#
# Where it goes: ~/.local/opt/token-tray (the program), ~/.local/bin/token-tray (the command),
# ~/.local/share/applications/token-tray.desktop and its icon (the menu entry), the manual page
# ~/.local/share/man/man1/token-tray.1 (`man token-tray`) and completion for bash
# (~/.local/share/bash-completion/completions), fish (~/.local/share/fish/vendor_completions.d)
# and zsh (~/.local/share/zsh/site-functions: add it to fpath). Set TOKEN_TRAY_PREFIX to use
# another folder than ~/.local.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix="${TOKEN_TRAY_PREFIX:-$HOME/.local}"
dest="$prefix/opt/token-tray"
bin="$prefix/bin"
share="$prefix/share"
man_page="$share/man/man1/token-tray.1"
bash_completion="$share/bash-completion/completions/token-tray"
zsh_completion="$share/zsh/site-functions/_token-tray"
fish_completion="$share/fish/vendor_completions.d/token-tray.fish"

install_shell_files() {
  mkdir -p "$(dirname "$man_page")" "$(dirname "$bash_completion")" \
    "$(dirname "$zsh_completion")" "$(dirname "$fish_completion")"
  cp "$here/token-tray.1" "$man_page"
  "$dest/token-tray" completion bash > "$bash_completion"
  "$dest/token-tray" completion zsh > "$zsh_completion"
  "$dest/token-tray" completion fish > "$fish_completion"
}

remove() {
  if [ -x "$dest/token-tray" ]; then
    "$dest/token-tray" autostart off || true
    "$dest/token-tray" install-desktop --remove || true
  fi
  rm -rf "$dest"
  if [ -L "$bin/token-tray" ]; then rm -f "$bin/token-tray"; fi
  rm -f "$man_page" "$bash_completion" "$zsh_completion" "$fish_completion"
  echo "Token Tray was removed. Your profiles and saved secrets were kept."
}

case "${1:-}" in
  --remove | --uninstall) remove; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--remove]" >&2; exit 2 ;;
esac

if [ ! -x "$here/token-tray/token-tray" ]; then
  echo "The folder token-tray/ is missing next to this script: unpack the whole archive first." >&2
  exit 1
fi

mkdir -p "$prefix/opt" "$bin"
# Copy first, then swap: a failed copy leaves the installed version as it was.
rm -rf "$dest.new"
cp -R "$here/token-tray" "$dest.new"
rm -rf "$dest.old"
if [ -e "$dest" ]; then mv "$dest" "$dest.old"; fi
mv "$dest.new" "$dest"
rm -rf "$dest.old"
ln -sfn "$dest/token-tray" "$bin/token-tray"

"$dest/token-tray" install-desktop
install_shell_files
if "$dest/token-tray" autostart status | grep -q '^on'; then
  "$dest/token-tray" autostart on  # keep the login entry pointing at this version
fi

echo "Token Tray is installed. Start it from your application menu, or run: $bin/token-tray"
echo "Manual: man token-tray. Tab completion: new bash and fish shells have it; for zsh add"
echo "  fpath+=($share/zsh/site-functions) before compinit in ~/.zshrc."
echo "To start it whenever you log in: Settings > Application > \"Start Token Tray when I log in\"."
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "(Add $bin to your PATH to use the token-tray command in a terminal.)" ;;
esac
