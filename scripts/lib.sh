# Shared by scripts/setup and scripts/test: system packages (apt-get, through sudo only when
# not root) and the Python environment (.venv, packages from PyPI). Idempotent.

# System packages the engine and its tests need (SQLite: the GeoPackage writer links it, as GDAL does).
SYSTEM_PACKAGES=(libgdal-dev libsqlite3-dev gdal-bin pkg-config clang libclang-dev python3 python3-venv python3-dev)
# System packages of further tests: the report test's headless browser.
SYSTEM_PACKAGES+=(chromium)
# The PostGIS tests' throw-away server (the extension is installed by install_postgis).
SYSTEM_PACKAGES+=(postgresql)

# Python packages of the package's tests and notebooks.
PYTHON_PACKAGES=(maturin pytest numpy pandas geopandas shapely pyproj matplotlib access nbclient nbformat ipykernel)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_system_packages() {
  local need=() pkg
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  # A python3 on PATH with venv (pyenv, a distribution's) is enough.
  if python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    local keep=()
    for pkg in "${need[@]}"; do
      case "$pkg" in python3|python3-venv|python3-dev) ;; *) keep+=("$pkg") ;; esac
    done
    need=("${keep[@]}")
  fi
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing system packages: ${need[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
  install_postgis
}

# The PostGIS extension of the installed PostgreSQL major version: Debian names its package
# after that version (postgresql-15-postgis-3 on bookworm), so it is asked for by its
# virtual name only when the extension's control file is missing.
install_postgis() {
  if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    echo "installing system packages: postgresql-postgis"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-postgis
  fi
}

# The venv the Python package, its tests and the notebooks run in: $VENV (default .venv).
VENV="${VENV:-$PWD/.venv}"

install_python_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "${PYTHON_PACKAGES[@]}"
}

# Builds the Python package from this checkout into the venv: a release build by default
# (its own target folder), or with `install_recours_package dev` the optimised-enough
# `dev` profile of python/Cargo.toml (opt-level 1, dependencies at 2: the settings of the
# root's `test` profile) in the root's target folder, which reuses what `cargo test`
# compiled instead of building every dependency again in release.
install_recours_package() {
  if [ "${1:-release}" = dev ]; then
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}" MATURIN_PEP517_ARGS="--profile dev" \
      "$VENV/bin/python" -m pip install -q ./python
  else
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR_PY:-$PWD/target-py}" \
      "$VENV/bin/python" -m pip install -q ./python
  fi
}
