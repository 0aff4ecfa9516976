#pragma once

namespace nlw {

// libwebrtc reads the monotonic clock five to seven times for each datagram it receives and for
// each it sends (packet times, ICE activity, rate trackers, SCTP timers): 4.6% of both processes
// in a bulk data-channel transfer (perf, bench/RESULTS.md). While one of these lives on a thread,
// rtc::SystemTimeNanos (replaced in shims/clock_reads.cc) reads the clock once and answers the
// next kShared - 1 reads on this thread with that value, then reads it again. The times stay
// non-decreasing. Made only around the handling of one received datagram, where eight reads span
// microseconds of work and nothing waits for another thread; the most there is between two reads
// is a DTLS handshake's crypto (~1 ms), which would start the timers set after it that much early.
// Not around timer tasks: one that waited for another thread would read a time from before the
// wait. (Bounding the age by the CPU's cycle counter cost as much as the reads saved: rdtsc is as
// slow as the vDSO clock on this machine.)
class ShareClockReads {
 public:
  static constexpr int kShared = 8;
  ShareClockReads();
  ~ShareClockReads();
  ShareClockReads(const ShareClockReads&) = delete;
  ShareClockReads& operator=(const ShareClockReads&) = delete;

 private:
  bool outer_;  // false when nested in another: that one ends the sharing
};

}  // namespace nlw
