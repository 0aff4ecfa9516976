// RTCSctpTransport / RTCDtlsTransport / RTCIceTransport state, watched on libwebrtc's network
// thread (their owner thread) and sent to JS as snapshots; lib/ builds the spec objects from them.
#pragma once

#include <napi.h>

#include <memory>

#include "api/dtls_transport_interface.h"
#include "api/sctp_transport_interface.h"
#include "bridge/dispatcher.h"

namespace rtc {
class Thread;
}

namespace webrtc {
class PeerConnectionInternal;
}

namespace nlw {

// Delivers ("transport", kind, snapshot) to the owner's JS event handler.
using TransportEmit = std::function<void(Napi::Env, const char* kind, Napi::Object snapshot)>;

class TransportWatcher : public std::enable_shared_from_this<TransportWatcher> {
 public:
  // `deliver` runs on the JS thread.
  TransportWatcher(std::shared_ptr<Dispatcher> dispatcher, rtc::Thread* network, TransportEmit deliver);
  ~TransportWatcher();

  // Signaling thread, after every SLD/SRD: reads pc's SCTP transport on the network thread,
  // starts watching it the first time there is one, and hands it (or null) to `found` on
  // `signaling`. Nothing is read once Detach() has run, which happens before pc is released.
  // `media_mid`: the mid of a media section ("" if none): without SCTP, its DTLS transport is the
  // one watched (under BUNDLE every section shares it).
  void Follow(webrtc::PeerConnectionInternal* pc, rtc::Thread* signaling, std::string media_mid,
              std::function<void(rtc::scoped_refptr<webrtc::SctpTransportInterface>)> found);
  // Any thread: re-read the ICE transport (after ICE state/gathering/pair changes).
  void RefreshIce();
  // Signaling thread (while the connection closes): stop watching (blocking hop to the network thread).
  void Detach();

 private:
  class SctpObserver;
  class DtlsObserver;
  void StartOnNetwork();                                   // network thread
  void StartDtlsOnNetwork();                               // network thread, dtls_ set
  void PostSctp(const webrtc::SctpTransportInformation& info);
  void PostDtls(const webrtc::DtlsTransportInformation& info);
  void PostIce();                                          // network thread

  std::shared_ptr<Dispatcher> dispatcher_;
  rtc::Thread* network_;
  TransportEmit deliver_;
  // All of these belong to the network thread.
  rtc::scoped_refptr<webrtc::SctpTransportInterface> sctp_;
  rtc::scoped_refptr<webrtc::DtlsTransportInterface> dtls_;
  rtc::scoped_refptr<webrtc::IceTransportInterface> ice_;
  std::unique_ptr<SctpObserver> sctp_observer_;  // network thread
  std::unique_ptr<DtlsObserver> dtls_observer_;  // network thread
  bool detached_ = false;                        // network thread
};

}  // namespace nlw
