# Cross-compiles the addon for linux-arm64 on an x86-64 Debian machine (scripts/prebuild-arm64.js).
# Compiler: Debian's crossbuild-essential-arm64. Libraries: Debian's arm64 -dev packages unpacked
# into NLW_DEPS_ROOT by scripts/arm64-sysroot.sh (not installed: libsrtp2-dev and libnspr4-dev are
# not Multi-Arch: same, so libtgowt-dev:arm64 cannot sit next to the amd64 one).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_AR aarch64-linux-gnu-ar CACHE FILEPATH "")
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy CACHE FILEPATH "")
set(CMAKE_STRIP aarch64-linux-gnu-strip CACHE FILEPATH "")

if(NOT NLW_DEPS_ROOT)
  if(DEFINED ENV{NLW_DEPS_ROOT})
    set(NLW_DEPS_ROOT $ENV{NLW_DEPS_ROOT})
  else()
    get_filename_component(NLW_DEPS_ROOT ${CMAKE_CURRENT_LIST_DIR}/../.cache/arm64/sysroot ABSOLUTE)
  endif()
endif()
set(NLW_DEPS_ROOT ${NLW_DEPS_ROOT} CACHE PATH "the arm64 -dev packages, unpacked")
# try_compile projects re-read this file: hand them the same root.
set(ENV{NLW_DEPS_ROOT} ${NLW_DEPS_ROOT})

# find_package(tg_owt) / absl look only in the unpacked packages; programs come from the host.
set(CMAKE_FIND_ROOT_PATH ${NLW_DEPS_ROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
