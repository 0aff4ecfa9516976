#include "media/late_dtmf_buffer.h"

#include <algorithm>
#include <iterator>

namespace nlw {

namespace {

constexpr size_t kFinishedRemembered = 16;

bool Before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }

bool Same(const webrtc::DtmfEvent& a, const webrtc::DtmfEvent& b) {
  return a.event_no == b.event_no && a.timestamp == b.timestamp;
}

}  // namespace

LateDtmfBuffer::LateDtmfBuffer(int fs_hz) : webrtc::DtmfBuffer(fs_hz) { SetSampleRate(fs_hz); }

int LateDtmfBuffer::SetSampleRate(int fs_hz) {
  int result = webrtc::DtmfBuffer::SetSampleRate(fs_hz);
  if (result != kOK) return result;
  extrapolation_ = fs_hz / 5;  // 200 ms (libwebrtc's: 70 ms)
  give_up_ = fs_hz;            // 1 s
  frame_ = fs_hz / 100;
  resume_ = fs_hz / 10;        // 100 ms
  heard_ = fs_hz / 25;         // 40 ms
  return kOK;
}

void LateDtmfBuffer::Flush() {
  events_.clear();
  finished_.clear();
}

int LateDtmfBuffer::InsertEvent(const webrtc::DtmfEvent& event) {
  if (event.event_no < 0 || event.event_no > 15 || event.volume < 0 || event.volume > 63 || event.duration <= 0 ||
      event.duration > 65535) {
    return kInvalidEventParameters;
  }
  for (const webrtc::DtmfEvent& done : finished_)
    if (Same(done, event)) return kOK;  // a repeated end packet of an event already played
  for (Event& e : events_) {
    if (!Same(e.e, event)) continue;
    if (!e.e.end_bit) e.e.duration = std::max(e.e.duration, event.duration);
    if (event.end_bit) e.e.end_bit = true;
    e.e.volume = event.volume;
    return kOK;
  }
  Event e{event, event.timestamp};
  // In the sender's order (its start timestamps), whatever was moved.
  auto at = std::find_if(events_.begin(), events_.end(), [&](const Event& o) { return Before(event.timestamp, o.e.timestamp); });
  events_.insert(at, e);
  return kOK;
}

void LateDtmfBuffer::Finish(std::list<Event>::iterator it, uint32_t now) {
  quiet_until_ = now + frame_;
  quiet_ = true;
  finished_.push_back(it->e);
  if (finished_.size() > kFinishedRemembered) finished_.pop_front();
  events_.erase(it);
}

bool LateDtmfBuffer::GetEvent(uint32_t now, webrtc::DtmfEvent* event) {
  // NetEq restarts its tone generator (with the next event's digit) only after a block without
  // DTMF: a late event that would follow the previous one at once waits one block.
  if (quiet_ && Before(now, quiet_until_)) return false;
  quiet_ = false;
  const bool was_playing = playing_;
  playing_ = false;
  while (!events_.empty()) {
    auto it = events_.begin();
    Event& e = *it;
    if (Before(now, e.start)) return false;  // not yet
    const bool next = std::next(it) != events_.end();
    // Played up to its known duration, or beyond it while more may come (not after a next event).
    const uint32_t length = static_cast<uint32_t>(e.e.duration) + (e.e.end_bit || next ? 0 : extrapolation_);
    uint32_t offset = now - e.start;
    if (offset > length) {
      // Part of it was never played (its packets came after their time): play on from here. Not
      // the rest of a tone already heard (40 ms) that went quiet for long: it would sound as a second
      // press.
      if (e.reached >= static_cast<uint32_t>(heard_) && offset - e.reached > static_cast<uint32_t>(resume_)) {
        e.reached = std::max<uint32_t>(e.reached, e.e.duration);
      }
      if (static_cast<uint32_t>(e.e.duration) > e.reached) {
        e.start = now - e.reached;
        offset = e.reached;
      } else if (e.e.end_bit || next || offset - e.reached > static_cast<uint32_t>(give_up_)) {
        Finish(it, now);  // played to its end, or another has begun, or its updates stopped
        if (quiet_ && Before(now, quiet_until_)) return false;
        continue;
      } else {
        return false;  // waiting for more of it
      }
    }
    if (was_playing && !Same(e.e, last_)) {
      // Another event right after the last one: one block without DTMF first (see above).
      quiet_until_ = now + frame_;
      quiet_ = true;
      return false;
    }
    e.reached = std::max(e.reached, offset);
    playing_ = true;
    last_ = e.e;
    if (event != nullptr) {
      *event = e.e;
      event->timestamp = e.start;
    }
    return true;
  }
  return false;
}

}  // namespace nlw
