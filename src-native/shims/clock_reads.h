#pragma once

namespace nlw {

// libwebrtc reads the monotonic clock five to seven times for each datagram it receives and for
// each it sends (packet times, ICE activity, rate trackers, SCTP timers): 4.6% of both processes
// in a bulk data-channel transfer (perf, bench/RESULTS.md). While one of these lives on a thread,
// rtc::SystemTimeNanos (replaced in shims/clock_reads.cc) reads the clock once and answers the
// next kShared - 1 reads on this thread with that value, then reads it again. The times stay
// non-decreasing. Made only around the handling of one received datagram and around a network
// thread's timer task (a pacer's burst, SCTP's timers), where eight reads span microseconds of
// work; the most there is between two reads is a DTLS handshake's crypto (~1 ms), which would
// start the timers set after it that much early. (Bounding the age by the CPU's cycle counter
// instead cost as much as the reads saved: rdtsc is as slow as the vDSO clock here.)
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
