#include "wrap/dtls_handshake_guard.h"

#include "p2p/base/dtls_transport_internal.h"
#include "pc/dtls_transport.h"

namespace nlw {

void DtlsHandshakeGuard::Watch(webrtc::DtlsTransportInterface* dtls) {
  if (dtls == nullptr) return;
  for (const auto& w : watched_) {
    if (w.get() == dtls) return;
  }
  // Every DtlsTransportInterface libwebrtc hands out (SCTP's, senders', receivers') is this class.
  cricket::DtlsTransportInternal* internal = static_cast<webrtc::DtlsTransport*>(dtls)->internal();
  if (internal == nullptr) return;  // already torn down: no handshake can run any more
  watched_.emplace_back(dtls);
  // The handshake starts (state leaves "new") and can fail only inside network-thread tasks, so
  // a transport still "new" here has not failed yet, and the subscription sees any later failure.
  if (internal->dtls_state() != webrtc::DtlsTransportState::kNew) failed_->store(true);
  // The callback lives as long as the transport; it holds the flag, not the guard.
  internal->SubscribeDtlsHandshakeError([failed = failed_](rtc::SSLHandshakeError) { failed->store(true); });
}

}  // namespace nlw
