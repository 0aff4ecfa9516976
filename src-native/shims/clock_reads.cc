// rtc::SystemTimeNanos, replacing libtg_owt's (its own member, system_time.cc.o, weakened by
// build.json tgowt_weaken_symbols): CLOCK_MONOTONIC as there, shared across a few reads inside
// a ShareClockReads scope (clock_reads.h).
#include "shims/clock_reads.h"

#include <time.h>

#include <cstdint>

#include "rtc_base/system_time.h"

namespace {

struct Shared {
  bool active = false;
  int left = 0;  // reads still answered with `nanos`
  int64_t nanos = 0;
};
thread_local Shared shared;

int64_t ReadClock() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{1000000000} * ts.tv_sec + ts.tv_nsec;
}

}  // namespace

namespace nlw {

ShareClockReads::ShareClockReads() : outer_(!shared.active) {
  if (!outer_) return;
  shared.active = true;
  shared.left = 0;  // the first read in the scope reads the clock
}

ShareClockReads::~ShareClockReads() {
  if (!outer_) return;
  shared.active = false;
  shared.left = 0;
}

}  // namespace nlw

namespace rtc {

int64_t SystemTimeNanos() {
  Shared& s = shared;
  if (!s.active) return ReadClock();
  if (s.left > 0) {
    s.left--;
    return s.nanos;
  }
  s.nanos = ReadClock();
  s.left = nlw::ShareClockReads::kShared - 1;
  return s.nanos;
}

}  // namespace rtc
