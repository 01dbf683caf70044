# Shared by scripts/setup and scripts/test: system packages (apt-get, through sudo only when
# not root) and the Python environment (.venv, packages from PyPI). Idempotent.

# System packages the engine and its tests need.
SYSTEM_PACKAGES=(libgdal-dev gdal-bin pkg-config clang libclang-dev python3 python3-venv python3-dev)
# Add here the system packages of further tests (the report test's browser, PostGIS…):
SYSTEM_PACKAGES+=()

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

# Builds the Python package from this checkout into the venv (release build).
install_recours_package() {
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR_PY:-$PWD/target-py}" \
    "$VENV/bin/python" -m pip install -q ./python
}
