// dcsctp::GenerateCrc32C, replacing dcsctp's (build.json tgowt_weaken_symbols), with one skip for
// a received packet's unverified checksum (sctp_receive_checksum.h).
#include "shims/sctp_receive_checksum.h"

#include <cstdint>

#include "api/array_view.h"
#include "net/dcsctp/packet/crc32c.h"

extern "C" uint32_t crc32c_value(const uint8_t* data, size_t size);  // crc32c's C API

namespace {
thread_local bool skip_next = false;
}  // namespace

namespace nlw {

SkipParsedChecksum::SkipParsedChecksum(size_t packet_size) {
  // Parse returns before its CRC for a packet under 16 bytes (common header and one chunk header)
  // or over 65535; left armed, the skip could land on a packet this socket sends.
  skip_next = packet_size >= 16 && packet_size <= 65535;
}

SkipParsedChecksum::~SkipParsedChecksum() { skip_next = false; }

}  // namespace nlw

namespace dcsctp {

uint32_t GenerateCrc32C(rtc::ArrayView<const uint8_t> data) {
  if (skip_next) {
    skip_next = false;
    return 0;  // compared with nothing: the socket does not verify
  }
  // The CRC goes on the wire in network order (RFC 4960 appendix B), as dcsctp's own does it.
  return __builtin_bswap32(crc32c_value(data.data(), data.size()));
}

}  // namespace dcsctp
