// Checks on a parsed remote description for inputs this libwebrtc mishandles: one it crashes on,
// and ones it rejects only after changing its transports, which leaves the connection with a
// permanent "session error" (every later set*Description fails). webrtc-pc wants a rejected
// description to leave the connection as it was, so these are refused before libwebrtc sees them,
// with the error libwebrtc itself would have given.
#pragma once

#include <optional>

#include "api/candidate.h"
#include "api/jsep.h"
#include "convert/errors.h"

namespace nlw {

std::optional<ErrorValue> CheckRemoteDescription(const webrtc::SessionDescriptionInterface& d);

// Why libwebrtc must not be given this remote candidate, or nullopt. It aborts the process
// formatting an address whose host name is over ~1000 characters (a fixed 1 KiB buffer behind an
// RTC_CHECK); a DNS name has at most 253.
std::optional<std::string> CheckRemoteCandidate(const cricket::Candidate& c);

}  // namespace nlw
