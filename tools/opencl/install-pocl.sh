#!/usr/bin/env bash
# Builds PoCL 6.0 (an OpenCL 3.0 runtime on the CPU, with the generic address space ILGPU needs)
# from Debian's source package against Debian 12's LLVM 15, and installs it under a cache folder
# outside the repository, so a machine builds it once. Debian 12's packaged PoCL (3.1) is too old
# for ILGPU.
#
# Usage: tools/opencl/install-pocl.sh          (idempotent; needs root for apt-get)
# The last line printed is the vendors folder to export:
#   export OCL_ICD_VENDORS=$(tools/opencl/install-pocl.sh | tail -1)
# Environment: TENSORGRAD_POCL_PREFIX (default ~/.cache/tensorgrad/pocl-6.0) is where it lives.
set -euo pipefail

prefix="${TENSORGRAD_POCL_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/tensorgrad/pocl-6.0}"
vendors="$prefix/etc/OpenCL/vendors"
work="$prefix.build"

log() { echo "install-pocl: $*" >&2; }

build_deps=(cmake ninja-build pkg-config dpkg-dev ocl-icd-dev ocl-icd-opencl-dev ocl-icd-libopencl1 clinfo
    llvm-15-dev clang-15 libclang-15-dev libclang-cpp15-dev libhwloc-dev zlib1g-dev libxml2-dev libedit-dev)
runtime_deps=(ocl-icd-libopencl1 clinfo libhwloc15 clang-15 libclang-cpp15 libllvm15)

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
    done
}

apt_install() {
    local missing
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0
    [ "$(id -u)" = 0 ] || { log "needs root to install: $missing"; exit 1; }
    log "apt-get install $missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

if [ -f "$prefix/.complete" ] && [ -f "$vendors/pocl.icd" ]; then
    apt_install "${runtime_deps[@]}"
    log "PoCL already built in $prefix"
    echo "$vendors"
    exit 0
fi

apt_install "${build_deps[@]}"

# A private apt configuration with one deb-src entry for trixie (PoCL 6.0); nothing in /etc changes.
# The archive URI comes from the machine's own Debian sources.
uri=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$uri" ] || uri=$(sed -n 's/^deb[[:space:]]\+\([^[:space:]]*\/debian\)[[:space:]].*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
[ -n "$uri" ] || { log "no Debian archive URI found in /etc/apt"; exit 1; }

rm -rf "$work"
mkdir -p "$work/apt/lists/partial" "$work/apt/sources"
cd "$work" # the build's configuration checks write scratch files into the current folder
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" >"$work/apt/sources/trixie-src.list"
apt_options=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$work/apt/sources"
    -o "Dir::State::Lists=$work/apt/lists" -o APT::Sandbox::User=root)
log "fetching the pocl source package from $uri (trixie)"
apt-get "${apt_options[@]}" update -qq
apt-get "${apt_options[@]}" source --download-only pocl >/dev/null
dsc=$(ls "$work"/pocl_6.*.dsc 2>/dev/null | head -1)
[ -n "$dsc" ] || { log "trixie's pocl source is not 6.x: $(ls "$work")"; exit 1; }
dpkg-source -x --no-check "$dsc" src >/dev/null

# LLVM 15 names no CPU for some virtual machines ("Host CPU: (unknown)"); PoCL then needs one
# given. The x86-64 micro-architecture levels cover every machine kind this project runs on.
host_cpu=$(llc-15 --version | sed -n 's/^ *Host CPU: *//p')
cpu_option=()
if [ -z "$host_cpu" ] || [ "$host_cpu" = "(unknown)" ] || [ "$host_cpu" = generic ]; then
    flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
    case "$flags" in
        *avx512f*avx512bw*|*avx512bw*avx512f*) host_cpu=x86-64-v4 ;;
        *avx2*) host_cpu=x86-64-v3 ;;
        *sse4_2*) host_cpu=x86-64-v2 ;;
        *) host_cpu=x86-64 ;;
    esac
    cpu_option=(-DLLC_HOST_CPU="$host_cpu")
fi

log "building $(basename "$dsc" .dsc) for $host_cpu (about 3 minutes on 2 cores)"
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DWITH_LLVM_CONFIG=/usr/bin/llvm-config-15 -DENABLE_ICD=ON -DENABLE_TESTS=OFF -DENABLE_EXAMPLES=OFF \
    -DENABLE_POCLCC=OFF -DENABLE_SPIRV=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON "${cpu_option[@]}" >"$work/cmake.log" 2>&1 || { tail -30 "$work/cmake.log" >&2; exit 1; }
ninja -C "$work/build" -j"$(nproc)" install >"$work/ninja.log" 2>&1 || { tail -30 "$work/ninja.log" >&2; exit 1; }

[ -f "$vendors/pocl.icd" ] || { log "the build installed no $vendors/pocl.icd"; exit 1; }
OCL_ICD_VENDORS="$vendors" clinfo -l >&2 || true
cd /
rm -rf "$work"
touch "$prefix/.complete"
echo "$vendors"
