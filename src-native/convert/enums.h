// libwebrtc enums -> the spec's enum strings, each table written once.
#pragma once

#include "api/data_channel_interface.h"
#include "api/dtls_transport_interface.h"
#include "api/peer_connection_interface.h"
#include "api/sctp_transport_interface.h"
#include "p2p/base/transport_description.h"

namespace nlw {

const char* ToSpec(webrtc::PeerConnectionInterface::SignalingState s);
const char* ToSpec(webrtc::PeerConnectionInterface::IceGatheringState s);
const char* ToSpec(webrtc::PeerConnectionInterface::IceConnectionState s);
const char* ToSpec(webrtc::PeerConnectionInterface::PeerConnectionState s);
const char* ToSpec(webrtc::DataChannelInterface::DataState s);
const char* ToSpec(webrtc::SctpTransportState s);
const char* ToSpec(webrtc::DtlsTransportState s);
const char* ToSpec(webrtc::Priority p);

bool PriorityFromSpec(const std::string& s, webrtc::Priority* out);

}  // namespace nlw
