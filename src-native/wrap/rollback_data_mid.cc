#include "wrap/rollback_data_mid.h"

#include <string>

#include "api/peer_connection_interface.h"
#include "pc/peer_connection.h"
#include "pc/peer_connection_proxy.h"

namespace nlw {
namespace {

// The factory's connections are all libwebrtc's PeerConnection behind its proxy.
webrtc::PeerConnection* Internal(webrtc::PeerConnectionInterface* pc) {
  auto* proxy = static_cast<webrtc::PeerConnectionProxy*>(pc);
  return static_cast<webrtc::PeerConnection*>(proxy->internal());
}

bool Has(const webrtc::SessionDescriptionInterface* desc, const std::string& mid) {
  return desc != nullptr && desc->description() != nullptr &&
         desc->description()->GetContentByName(mid) != nullptr;
}

}  // namespace

void ForgetRolledBackDataMid(webrtc::PeerConnectionInterface* pc) {
  webrtc::PeerConnection* internal = Internal(pc);
  absl::optional<std::string> mid = internal->GetDataMid();
  if (!mid) return;
  if (Has(pc->current_local_description(), *mid) || Has(pc->current_remote_description(), *mid) ||
      Has(pc->pending_local_description(), *mid) || Has(pc->pending_remote_description(), *mid)) {
    return;
  }
  internal->ResetSctpDataMid();
}

}  // namespace nlw
