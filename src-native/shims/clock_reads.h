#pragma once

namespace nlw {

// libwebrtc reads the monotonic clock five to seven times for each datagram it receives and for
// each it sends (packet times, ICE activity, rate trackers, SCTP timers): 4.6% of both processes
// in a bulk data-channel transfer (perf, bench/RESULTS.md). While one of these lives on a thread,
// rtc::SystemTimeNanos (replaced in shims/clock_reads.cc) reads the clock once and answers the
// next kShared - 1 reads on this thread with that value, then reads it again. Made only around the
// handling of one received datagram, which takes microseconds; the times stay non-decreasing, and
// none is older than the few microseconds that kShared reads' worth of work takes.
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
