#pragma once

#include <cstddef>

namespace nlw {

// dcsctp's SctpPacket::Parse computes the CRC32c of every received packet even when the socket
// was told not to verify it (DcSctpOptions::disable_checksum_verification, which ours always set:
// DTLS authenticates every packet), and then ignores the result: 4.5% of a receiving process in a
// bulk transfer (perf, bench/RESULTS.md). While one of these lives on a thread, the next CRC that
// dcsctp asks for on that thread is skipped. Made only around DcSctpSocket::ReceivePacket of a
// socket that does not verify, and only for sizes that Parse accepts, so that the first CRC
// asked for is Parse's (it comes before any packet the socket sends in reply).
class SkipParsedChecksum {
 public:
  explicit SkipParsedChecksum(size_t packet_size);
  ~SkipParsedChecksum();
  SkipParsedChecksum(const SkipParsedChecksum&) = delete;
  SkipParsedChecksum& operator=(const SkipParsedChecksum&) = delete;
};

}  // namespace nlw
