// RTCDTMFSender's native half. The spec object (lib/RTCDTMFSender.ts) keeps the tone buffer and
// hands libwebrtc one tone at a time, as Chromium does; libwebrtc plays it (telephone-event) and
// reports on the signaling thread when the tone and its gap are over, which reaches JS as the
// connection's 'dtmftoneend' event.
#pragma once

#include <napi.h>

#include <memory>

#include "api/dtmf_sender_interface.h"
#include "api/rtp_transceiver_interface.h"

namespace nlw {

struct PeerConnectionShared;

// One audio sender's watch on its libwebrtc DTMF sender. Signaling thread only.
class DtmfToneWatch : public webrtc::DtmfSenderObserverInterface {
 public:
  // Registers itself with the transceiver's DTMF sender (audio only; null for video).
  static std::shared_ptr<DtmfToneWatch> Start(std::weak_ptr<PeerConnectionShared> shared, uint32_t id,
                                              webrtc::RtpTransceiverInterface* transceiver);
  DtmfToneWatch(std::weak_ptr<PeerConnectionShared> shared, uint32_t id,
                rtc::scoped_refptr<webrtc::DtmfSenderInterface> dtmf)
      : shared_(std::move(shared)), id_(id), dtmf_(std::move(dtmf)) {}
  // The connection is closing: libwebrtc must not call this any more.
  void Stop();

  using webrtc::DtmfSenderObserverInterface::OnToneChange;
  void OnToneChange(const std::string& tone, const std::string& tone_buffer) override;

 private:
  std::weak_ptr<PeerConnectionShared> shared_;
  uint32_t id_;
  rtc::scoped_refptr<webrtc::DtmfSenderInterface> dtmf_;
};

// JS thread, through the transceiver's proxies (blocking hops to the signaling thread).
bool DtmfCanInsert(webrtc::RtpTransceiverInterface* transceiver);
// One tone (or ','), already checked and clamped by JS.
bool DtmfInsertTone(webrtc::RtpTransceiverInterface* transceiver, const std::string& tone, int duration,
                    int inter_tone_gap);

}  // namespace nlw
