#include "wrap/dtls_handshake_guard.h"

#include <algorithm>

#include "p2p/base/dtls_transport_internal.h"
#include "pc/dtls_transport.h"

namespace nlw {

void DtlsHandshakeGuard::Watch(webrtc::DtlsTransportInterface* dtls) {
  if (dtls == nullptr) return;
  // Every DtlsTransportInterface libwebrtc hands out (SCTP's, senders', receivers') is this class.
  cricket::DtlsTransportInternal* internal = static_cast<webrtc::DtlsTransport*>(dtls)->internal();
  if (internal == nullptr) return;  // already torn down: no handshake can run any more
  if (std::find(watched_.begin(), watched_.end(), internal) != watched_.end()) return;
  watched_.push_back(internal);
  // The handshake starts (state leaves "new") and can fail only inside network-thread tasks, so
  // a transport still "new" here has not failed yet, and the subscription sees any later failure.
  if (internal->dtls_state() != webrtc::DtlsTransportState::kNew) failed_->store(true);
  // The callback lives as long as the transport; it holds the flag, not the guard.
  internal->SubscribeDtlsHandshakeError([failed = failed_](rtc::SSLHandshakeError) { failed->store(true); });
}

}  // namespace nlw
