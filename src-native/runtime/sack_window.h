// A cap on the data our SCTP sender keeps in flight, applied to the receiver window (a_rwnd) of
// the SACKs it receives.
//
// Debian's libwebrtc has its DCHECKs on, and dcsctp checks its whole list of outstanding chunks
// (OutstandingData::IsConsistent, a walk of a std::map) for every chunk it sends and every SACK it
// takes: the sender's CPU per packet grows with the data in flight. On a fast path nothing else
// bounds that but the peer's window (5 MiB from dcsctp peers, ~4,300 chunks): 64 KiB messages on
// veth cost both sides 13-18 ms of CPU per MB against 7-8 with a 1 or 2 MiB cap, and ran at half
// the rate (bench/RESULTS.md, "Session 15"; 512 KiB, 1 and 2 MiB measured alike within the noise). dcsctp has no option for a largest congestion window, so the
// window each SACK announces is lowered to kMaxInFlight before dcsctp reads it: our sender then
// keeps at most that much unacknowledged, as if the receiver had a smaller buffer. The peer sees
// nothing but a sender that sends no more than that ahead (1 MiB: 200 Mbit/s at 40 ms RTT).
//
// The SACK is changed after DTLS has authenticated the packet, so its CRC32c no longer matches:
// the association is made with checksum verification off (DcSctpOptions), which DTLS's
// authentication (AES-GCM or HMAC) already makes redundant for SCTP over DTLS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "api/array_view.h"

namespace nlw {

constexpr uint32_t kMaxInFlight = 1024 * 1024;

// When `packet` (an SCTP packet: common header, chunks) has a SACK announcing more than `cap`,
// writes a copy with that window lowered to `cap` into `out` and returns true; false otherwise
// (`out` untouched), also for a malformed packet, which dcsctp then rejects itself.
bool CapSackWindow(rtc::ArrayView<const uint8_t> packet, uint32_t cap, std::vector<uint8_t>& out);

}  // namespace nlw
