// The publisher's Opus packets as the relay keeps them for forwarding (media/relay_audio_source.h):
// how long a packet plays (its TOC byte, RFC 6716 section 3.1), and a small ring of the latest
// packets that every forwarding sender reads at its own pace.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include "api/array_view.h"
#include "rtc_base/copy_on_write_buffer.h"

namespace nlw {

// Samples at 48 kHz that `packet` carries (all its frames), 0 if it is not a well-formed Opus
// packet (empty, or a frame count of 0 or past 120 ms).
int OpusPacketSamples48k(rtc::ArrayView<const uint8_t> packet);

// Any thread. Packets are numbered 1, 2, ... in arrival order; the last kSize are kept.
class OpusPacketRing {
 public:
  static constexpr size_t kSize = 32;
  struct Packet {
    rtc::CopyOnWriteBuffer payload;  // shared, not copied, by readers
    int samples = 0;                 // at 48 kHz
  };

  void Push(rtc::ArrayView<const uint8_t> payload, int samples, int64_t now_ms);
  // The number of the newest packet, 0 before the first.
  uint64_t newest() const;
  // False when `seq` has not arrived yet or has left the ring.
  bool Get(uint64_t seq, Packet* out) const;
  // A packet arrived in the last `window_ms`.
  bool Fresh(int64_t now_ms, int64_t window_ms = 200) const;

 private:
  mutable std::mutex mu_;
  std::array<Packet, kSize> ring_;  // under mu_
  uint64_t newest_ = 0;             // under mu_
  int64_t last_ms_ = -1;            // under mu_
};

}  // namespace nlw
