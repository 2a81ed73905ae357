#!/usr/bin/env bash
# Install (or --uninstall) AUEdit's desktop integration on Linux: the launcher (.desktop), the
# AppStream metainfo and the icons, under XDG paths. It installs no Python code: `auedit` must be
# on PATH (pip install), or pass --exec with the bundle's executable (dist/auedit/auedit).
# Running it again replaces the same files.
set -euo pipefail

APP_ID=io.github.auedit.AUEdit
HERE=$(cd "$(dirname "$0")" && pwd)
ICONS=$HERE/../../resources/icons
SIZES=(16 32 48 64 128 256 512)

usage() {
  cat <<USAGE
usage: $0 [--prefix DIR] [--exec PATH] [--uninstall]
  --prefix DIR   install under DIR/share (default: \${XDG_DATA_HOME:-~/.local/share})
  --exec PATH    the program the launcher runs (default: auedit, found on PATH)
  --uninstall    remove what an install put there (give the same --prefix)
USAGE
}

data=${XDG_DATA_HOME:-$HOME/.local/share}
exec_cmd=auedit
uninstall=0
while (($#)); do
  case $1 in
    --prefix) data=${2:?--prefix needs a folder}/share; shift 2 ;;
    --exec) exec_cmd=$(realpath "${2:?--exec needs a path}"); shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

files=("$data/applications/$APP_ID.desktop" "$data/metainfo/$APP_ID.metainfo.xml"
       "$data/icons/hicolor/scalable/apps/$APP_ID.svg")
for size in "${SIZES[@]}"; do
  files+=("$data/icons/hicolor/${size}x${size}/apps/$APP_ID.png")
done

# Let menus and icon themes see the change (the tools are optional).
refresh_caches() {
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database -q "$data/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null && [[ -f $data/icons/hicolor/index.theme ]]; then
    gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
  fi
}

if ((uninstall)); then
  removed=0
  for f in "${files[@]}"; do
    if [[ -e $f ]]; then rm -f "$f"; removed=$((removed + 1)); fi
  done
  refresh_caches
  echo "AUEdit: removed $removed of ${#files[@]} files from $data"
  exit 0
fi

if [[ $exec_cmd == auedit ]]; then
  found=$(command -v auedit || true)
  if [[ -z $found ]]; then
    echo "AUEdit: warning: 'auedit' is not on PATH; the launcher will not start until it" \
      "is (pip install, or --exec dist/auedit/auedit)" >&2
  else
    case $(dirname "$found") in
      /usr/bin | /usr/local/bin | /bin | "$HOME/.local/bin") ;;  # on a desktop session's PATH
      *)  # a virtual environment's, say: the menu would not find it, so name it in full
        exec_cmd=$found
        echo "AUEdit: the launcher runs $found (a desktop session's PATH does not reach it)" ;;
    esac
  fi
fi
exec_field=$exec_cmd
if [[ $exec_cmd != auedit ]]; then
  [[ -x $exec_cmd ]] || { echo "AUEdit: not an executable: $exec_cmd" >&2; exit 2; }
  # characters that Exec (or the sed below) would need escaped
  if [[ $exec_cmd == *[\"\`\$\\\&\|%]* ]]; then
    echo "AUEdit: move it to a path without \" \` \$ \\ & | %: $exec_cmd" >&2
    exit 2
  fi
  exec_field="\"$exec_cmd\""  # a path goes in double quotes in Exec, as is in TryExec
fi

install -D -m 644 "$HERE/$APP_ID.metainfo.xml" "$data/metainfo/$APP_ID.metainfo.xml"
install -D -m 644 "$ICONS/auedit.svg" "$data/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in "${SIZES[@]}"; do
  install -D -m 644 "$ICONS/auedit-$size.png" "$data/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
mkdir -p "$data/applications"
sed -e "s|^Exec=auedit |Exec=$exec_field |" -e "s|^TryExec=auedit$|TryExec=$exec_cmd|" \
    "$HERE/$APP_ID.desktop" > "$data/applications/$APP_ID.desktop"
chmod 644 "$data/applications/$APP_ID.desktop"
refresh_caches
echo "AUEdit: installed the launcher, metainfo and ${#SIZES[@]} icon sizes under $data"
echo "AUEdit: the launcher runs: $exec_field gui %F"
