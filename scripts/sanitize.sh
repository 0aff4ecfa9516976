#!/usr/bin/env bash
# Builds the addon's own sources with AddressSanitizer + UndefinedBehaviorSanitizer (gcc) into
# build-sanitize/ and runs the mocha suite against that binary. See docs/sanitizers.md.
#
#   bash scripts/sanitize.sh                 build (incremental) + whole suite
#   bash scripts/sanitize.sh test/x.test.js  build + these files only
#   bash scripts/sanitize.sh --exec node examples/pair.js   any command, same environment
#   SANITIZE_BUILD=0 bash scripts/sanitize.sh ...   reuse build-sanitize/ as it is
#   SANITIZE_LEAKS=1 bash scripts/sanitize.sh ...   also run LeakSanitizer (scripts/lsan.supp)
#
# Exit status: non-zero if the build fails, a test fails, or any sanitizer report was written
# by any process (the mocha process or a node process a test spawned).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/build-sanitize
binary=$out/Release/node_libwebrtc.node
cmakejs=$root/node_modules/.bin/cmake-js

if [ "${SANITIZE_BUILD:-1}" != 0 ]; then
  start=$(date +%s)
  # configure every time: cmake-js does not re-apply -D options to an existing build directory
  "$cmakejs" configure --out "$out" --CDNLW_SANITIZE=ON
  "$cmakejs" build --out "$out" --parallel "$(nproc)"
  echo "sanitize: build took $(($(date +%s) - start)) s"
fi
[ -f "$binary" ] || { echo "sanitize: $binary is missing (run without SANITIZE_BUILD=0)" >&2; exit 1; }
# A binary built without instrumentation would make the run below meaningless.
if ! nm -D --undefined-only "$binary" | grep -c __asan_init > /dev/null; then
  echo "sanitize: $binary is not built with -fsanitize=address" >&2
  exit 1
fi

# Node is not instrumented: the ASan runtime must be the first library loaded, before libc's
# malloc is bound, hence LD_PRELOAD (gcc links the addon to the same libasan.so.8/libubsan.so.1).
asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
if [ ! -f "$asan" ] || [ ! -f "$ubsan" ]; then
  echo "sanitize: gcc's sanitizer runtimes are missing: apt-get install -y libasan8 libubsan1" >&2
  exit 1
fi
reports=$out/reports
rm -rf "$reports"
mkdir -p "$reports"

export NODE_LIBWEBRTC_BINARY=$binary
# The 10,000 leak cycles take 5 min under ASan and their RSS bound is skipped there (quarantine);
# 2,000 still check threads and native objects left.
export NODE_LIBWEBRTC_LEAK_CYCLES=${NODE_LIBWEBRTC_LEAK_CYCLES:-2000}
# Preloaded only into the test processes (after netns.js's unshare/sh/ip, which are not ours and
# whose exit would run LeakSanitizer); node processes the tests spawn inherit it.
preload="LD_PRELOAD=$asan $ubsan"
mocha=(node "$root/node_modules/mocha/bin/mocha.js")
# Reports go to files, one per process, so that an error in a child process whose exit status a
# test does not look at still fails the run.
#  detect_leaks: off unless SANITIZE_LEAKS=1: mocha --exit ends with process.exit(), which leaves
#    V8's heap allocated. test/sanitize/leaks.js turns it on for processes that end on their own.
#  detect_stack_use_after_return=1: a lambda posted to a libwebrtc thread that captured a local by
#    reference is the bug class this catches.
#  allow_user_segv_handler=0: Node installs its own SIGSEGV handler (for WebAssembly traps), which
#    would turn a segfault into a bare "Segmentation fault" without ASan's report and stack.
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=${SANITIZE_LEAKS:-0}:\
detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:\
allow_user_segv_handler=0"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
# gcc 12's libubsan ignores log_path next to ASan: its reports go to stderr (scanned below) and
# halt_on_error makes the process exit with status 1.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

log=$reports/output.log
start=$(date +%s)
status=0
{ if [ "${1:-}" = --exec ]; then
  shift
  node scripts/netns.js env "$preload" "$@" || status=$?
elif [ $# -gt 0 ]; then
  # Explicit test files: .mocharc.json would add its own spec to them, so it is not read.
  node scripts/netns.js env "$preload" "${mocha[@]}" --no-config --exit --timeout 60000 "$@" || status=$?
else
  # Skipped: test/package (checks the release prebuild in prebuilds/, and installs the npm tarball
  # in a chroot that has no sanitizer runtime) and test/interop (Chromium would inherit
  # LD_PRELOAD; it is not our code). Timeouts are doubled: instrumented code is slower.
  # test/sanitize/ holds tests that only mean something under the sanitizers (LeakSanitizer).
  node scripts/netns.js env "$preload" "${mocha[@]}" --timeout 60000 \
    --ignore 'test/package/**' --ignore 'test/interop/**' test/sanitize/*.js || status=$?
fi
exit $status; } 2>&1 | tee "$log" || status=$?
echo "sanitize: run took $(($(date +%s) - start)) s, exit status $status"

if compgen -G "$reports/asan.*" > /dev/null || grep -qE 'runtime error:|ERROR: (Address|Leak)Sanitizer' "$log"; then
  for f in "$reports"/asan.*; do
    if [ -f "$f" ]; then echo "=== $f"; cat "$f"; fi
  done
  grep -E 'runtime error:' "$log" || true
  echo "sanitize: sanitizer reports found (above)" >&2
  exit 1
fi
[ $status -eq 0 ] && echo "sanitize: clean (no ASan/UBSan reports)"
exit $status
