// NetEq's DTMF buffer, playing an event whose packets come after its playout time instead of
// dropping it.
//
// While a telephone-event lasts the sender sends no audio packets, only the event's updates (its
// start timestamp and the duration so far, every 20 ms). When they come late (the sender's
// thread stalled, network jitter), NetEq runs dry and conceals, its playout clock moving on; M108's
// DtmfBuffer::GetEvent then finds the event ended (start + duration + 70 ms of extrapolation
// behind the clock) and erases it, unplayed: a tone lost (issue 16; measured with
// bench/dtmf-heard.js, about 1 call in 10 one tone short under load). NetEq's delay estimate cannot
// have grown for it (event packets do not count). Here an event is played late instead: when the
// clock has passed part of it that was never played, the event is moved to the clock, so that
// every sample of its duration is played once, in order; an event played to its end bit is
// remembered, so that its repeated end packets do not start it again. An event whose updates stall
// is extrapolated up to 200 ms (libwebrtc: 70 ms) before it goes quiet, and the rest of a tone
// heard for 40 ms is played only after a pause of at most 100 ms, so that a stalled sender does not split one tone into two
// presses; and a late event never follows another without a 10 ms block
// between them, the block after which NetEq's tone generator takes the new digit.
#pragma once

#include <cstdint>
#include <deque>
#include <list>

#include "modules/audio_coding/neteq/dtmf_buffer.h"

namespace nlw {

class LateDtmfBuffer : public webrtc::DtmfBuffer {
 public:
  explicit LateDtmfBuffer(int fs_hz);

  void Flush() override;
  int InsertEvent(const webrtc::DtmfEvent& event) override;
  bool GetEvent(uint32_t current_timestamp, webrtc::DtmfEvent* event) override;
  size_t Length() const override { return events_.size(); }
  bool Empty() const override { return events_.empty(); }
  int SetSampleRate(int fs_hz) override;

 private:
  struct Event {
    webrtc::DtmfEvent e;   // as received: e.timestamp is the sender's start
    uint32_t start;        // where NetEq's clock plays its beginning (moved when late)
    uint32_t reached = 0;  // how much of it has been played (samples from its beginning)
  };
  void Finish(std::list<Event>::iterator it, uint32_t now);

  int extrapolation_ = 0;  // samples an event without its end bit may outlast its known duration
  int give_up_ = 0;        // samples an event without its end bit is waited for
  int frame_ = 0;          // NetEq's block (10 ms)
  int resume_ = 0;         // the longest pause after which the rest of a tone is still played
  int heard_ = 0;          // played this long, a tone has been heard (its rest may be dropped)
  uint32_t quiet_until_ = 0;  // no event before this timestamp (after one ended)
  bool quiet_ = false;
  bool playing_ = false;      // the last call gave last_
  webrtc::DtmfEvent last_;
  std::list<Event> events_;  // by the sender's start timestamp
  std::deque<webrtc::DtmfEvent> finished_;  // recently ended (start, number): repeats are ignored
};

}  // namespace nlw
