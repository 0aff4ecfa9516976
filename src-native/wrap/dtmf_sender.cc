#include "wrap/dtmf_sender.h"

#include "wrap/peer_connection.h"
#include "wrap/peer_connection_observer.h"

namespace nlw {

std::shared_ptr<DtmfToneWatch> DtmfToneWatch::Start(std::weak_ptr<PeerConnectionShared> shared, uint32_t id,
                                                    webrtc::RtpTransceiverInterface* transceiver) {
  if (transceiver->media_type() != cricket::MEDIA_TYPE_AUDIO) return nullptr;
  rtc::scoped_refptr<webrtc::DtmfSenderInterface> dtmf = transceiver->sender()->GetDtmfSender();
  if (!dtmf) return nullptr;
  auto watch = std::make_shared<DtmfToneWatch>(std::move(shared), id, dtmf);
  dtmf->RegisterObserver(watch.get());
  return watch;
}

void DtmfToneWatch::Stop() {
  if (!dtmf_) return;
  dtmf_->UnregisterObserver();
  dtmf_ = nullptr;
}

void DtmfToneWatch::OnToneChange(const std::string& tone, const std::string&) {
  // Only the end of a tone matters to JS: it starts the next one after the gap (Chromium's
  // RTCDTMFSender does the same with libwebrtc's empty tone).
  if (!tone.empty()) return;
  auto shared = shared_.lock();
  if (!shared) return;
  shared->ToJs([id = id_](PeerConnection* w, Napi::Env env) {
    w->Emit(env, {Napi::String::New(env, "dtmftoneend"), Napi::Number::New(env, id)});
  });
}

bool DtmfCanInsert(webrtc::RtpTransceiverInterface* transceiver) {
  rtc::scoped_refptr<webrtc::DtmfSenderInterface> dtmf = transceiver->sender()->GetDtmfSender();
  return dtmf && dtmf->CanInsertDtmf();
}

bool DtmfInsertTone(webrtc::RtpTransceiverInterface* transceiver, const std::string& tone, int duration,
                    int inter_tone_gap) {
  rtc::scoped_refptr<webrtc::DtmfSenderInterface> dtmf = transceiver->sender()->GetDtmfSender();
  return dtmf && dtmf->InsertDtmf(tone, duration, inter_tone_gap);
}

}  // namespace nlw
