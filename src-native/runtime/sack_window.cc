#include "runtime/sack_window.h"

namespace nlw {
namespace {

constexpr size_t kCommonHeader = 12;  // ports, verification tag, checksum
constexpr size_t kChunkHeader = 4;    // type, flags, length
constexpr uint8_t kSack = 3;
constexpr size_t kSackWindowAt = 8;  // chunk header, cumulative TSN ack, then a_rwnd

uint32_t ReadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void WriteU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Calls f(offset) for each SACK chunk long enough to hold its window; false for a malformed chunk
// list.
template <typename F>
bool ForEachSack(rtc::ArrayView<const uint8_t> packet, F f) {
  size_t at = kCommonHeader;
  while (at + kChunkHeader <= packet.size()) {
    const size_t length = (size_t{packet[at + 2]} << 8) | packet[at + 3];
    if (length < kChunkHeader || at + length > packet.size()) return false;
    if (packet[at] == kSack && length >= kSackWindowAt + 4) f(at);
    at += (length + 3) & ~size_t{3};  // chunks are padded to 4 bytes
  }
  return true;
}

}  // namespace

bool CapSackWindow(rtc::ArrayView<const uint8_t> packet, uint32_t cap, std::vector<uint8_t>& out) {
  bool above = false;
  if (!ForEachSack(packet, [&](size_t at) { above |= ReadU32(&packet[at + kSackWindowAt]) > cap; }) || !above)
    return false;
  out.assign(packet.begin(), packet.end());
  ForEachSack(packet, [&](size_t at) {
    if (ReadU32(&out[at + kSackWindowAt]) > cap) WriteU32(&out[at + kSackWindowAt], cap);
  });
  return true;
}

}  // namespace nlw
