#include "convert/enums.h"

namespace nlw {

using PC = webrtc::PeerConnectionInterface;

const char* ToSpec(PC::SignalingState s) {
  switch (s) {
    case PC::kStable: return "stable";
    case PC::kHaveLocalOffer: return "have-local-offer";
    case PC::kHaveLocalPrAnswer: return "have-local-pranswer";
    case PC::kHaveRemoteOffer: return "have-remote-offer";
    case PC::kHaveRemotePrAnswer: return "have-remote-pranswer";
    case PC::kClosed: return "closed";
  }
  return "closed";
}

const char* ToSpec(PC::IceGatheringState s) {
  switch (s) {
    case PC::kIceGatheringNew: return "new";
    case PC::kIceGatheringGathering: return "gathering";
    case PC::kIceGatheringComplete: return "complete";
  }
  return "new";
}

const char* ToSpec(PC::IceConnectionState s) {
  switch (s) {
    case PC::kIceConnectionNew: return "new";
    case PC::kIceConnectionChecking: return "checking";
    case PC::kIceConnectionConnected: return "connected";
    case PC::kIceConnectionCompleted: return "completed";
    case PC::kIceConnectionFailed: return "failed";
    case PC::kIceConnectionDisconnected: return "disconnected";
    case PC::kIceConnectionClosed: return "closed";
    case PC::kIceConnectionMax: break;
  }
  return "closed";
}

const char* ToSpec(PC::PeerConnectionState s) {
  switch (s) {
    case PC::PeerConnectionState::kNew: return "new";
    case PC::PeerConnectionState::kConnecting: return "connecting";
    case PC::PeerConnectionState::kConnected: return "connected";
    case PC::PeerConnectionState::kDisconnected: return "disconnected";
    case PC::PeerConnectionState::kFailed: return "failed";
    case PC::PeerConnectionState::kClosed: return "closed";
  }
  return "closed";
}

const char* ToSpec(webrtc::DataChannelInterface::DataState s) {
  switch (s) {
    case webrtc::DataChannelInterface::kConnecting: return "connecting";
    case webrtc::DataChannelInterface::kOpen: return "open";
    case webrtc::DataChannelInterface::kClosing: return "closing";
    case webrtc::DataChannelInterface::kClosed: return "closed";
  }
  return "closed";
}

const char* ToSpec(webrtc::SctpTransportState s) {
  switch (s) {
    case webrtc::SctpTransportState::kNew: return "new";
    case webrtc::SctpTransportState::kConnecting: return "connecting";
    case webrtc::SctpTransportState::kConnected: return "connected";
    case webrtc::SctpTransportState::kClosed: return "closed";
    case webrtc::SctpTransportState::kNumValues: break;
  }
  return "closed";
}

const char* ToSpec(webrtc::DtlsTransportState s) {
  switch (s) {
    case webrtc::DtlsTransportState::kNew: return "new";
    case webrtc::DtlsTransportState::kConnecting: return "connecting";
    case webrtc::DtlsTransportState::kConnected: return "connected";
    case webrtc::DtlsTransportState::kClosed: return "closed";
    case webrtc::DtlsTransportState::kFailed: return "failed";
    case webrtc::DtlsTransportState::kNumValues: break;
  }
  return "closed";
}

const char* ToSpec(webrtc::Priority p) {
  switch (p) {
    case webrtc::Priority::kVeryLow: return "very-low";
    case webrtc::Priority::kLow: return "low";
    case webrtc::Priority::kMedium: return "medium";
    case webrtc::Priority::kHigh: return "high";
  }
  return "low";
}

bool PriorityFromSpec(const std::string& s, webrtc::Priority* out) {
  if (s == "very-low") *out = webrtc::Priority::kVeryLow;
  else if (s == "low") *out = webrtc::Priority::kLow;
  else if (s == "medium") *out = webrtc::Priority::kMedium;
  else if (s == "high") *out = webrtc::Priority::kHigh;
  else return false;
  return true;
}

}  // namespace nlw
