#include "convert/sdp.h"

#include <algorithm>
#include <limits>

#include "convert/enums.h"
#include "media/base/media_constants.h"
#include "pc/media_protocol_names.h"
#include "pc/session_description.h"

namespace nlw {

std::string UnserializableMediaSection(const webrtc::SessionDescriptionInterface& d) {
  if (d.description() == nullptr) return std::string();
  for (const cricket::ContentInfo& content : d.description()->contents()) {
    const cricket::MediaContentDescription* media = content.media_description();
    if (media == nullptr || media->type() != cricket::MEDIA_TYPE_UNSUPPORTED) continue;
    if (!cricket::IsSctpProtocol(media->protocol())) continue;
    const cricket::UnsupportedContentDescription* unsupported = media->as_unsupported();
    return "m=" + (unsupported != nullptr ? unsupported->media_type() : std::string("?")) + " " +
           media->protocol();
  }
  return std::string();
}

std::string PtimeConflict(const webrtc::SessionDescriptionInterface& d) {
  if (d.description() == nullptr) return std::string();
  for (const cricket::ContentInfo& content : d.description()->contents()) {
    const cricket::MediaContentDescription* media = content.media_description();
    const cricket::AudioContentDescription* audio = media != nullptr ? media->as_audio() : nullptr;
    if (audio == nullptr) continue;
    // As SdpSerialize computes them: the largest minptime and the smallest maxptime of the codecs.
    int max_minptime = 0, min_maxptime = std::numeric_limits<int>::max();
    for (const cricket::AudioCodec& codec : audio->codecs()) {
      int v = 0;
      if (codec.GetParam(cricket::kCodecParamMinPTime, &v)) max_minptime = std::max(max_minptime, v);
      if (codec.GetParam(cricket::kCodecParamMaxPTime, &v)) min_maxptime = std::min(min_maxptime, v);
    }
    if (min_maxptime <= max_minptime)
      return "m= section with mid='" + content.name + "': maxptime " + std::to_string(min_maxptime) +
             " is not above minptime " + std::to_string(max_minptime);
  }
  return std::string();
}

std::string NegativeMaxMessageSize(const webrtc::SessionDescriptionInterface& d) {
  if (d.description() == nullptr) return std::string();
  for (const cricket::ContentInfo& content : d.description()->contents()) {
    const cricket::MediaContentDescription* media = content.media_description();
    const cricket::SctpDataContentDescription* sctp = media != nullptr ? media->as_sctp() : nullptr;
    if (sctp != nullptr && sctp->max_message_size() < 0)
      return "a=max-message-size:" + std::to_string(sctp->max_message_size());
  }
  return std::string();
}

std::optional<DescriptionValue> DescriptionValue::From(const webrtc::SessionDescriptionInterface* d) {
  if (d == nullptr) return std::nullopt;
  DescriptionValue v;
  v.type = webrtc::SdpTypeToString(d->GetType());
  d->ToString(&v.sdp);
  return v;
}

static Napi::Value ToJs(Napi::Env env, const std::optional<DescriptionValue>& d) {
  if (!d) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", d->type);
  o.Set("sdp", d->sdp);
  return o;
}

SignalingSnapshot SignalingSnapshot::Take(webrtc::PeerConnectionInterface* pc, uint64_t seq, bool has_sctp) {
  SignalingSnapshot s;
  s.seq = static_cast<double>(seq);
  s.signaling_state = ToSpec(pc->signaling_state());
  s.current_local = DescriptionValue::From(pc->current_local_description());
  s.pending_local = DescriptionValue::From(pc->pending_local_description());
  s.current_remote = DescriptionValue::From(pc->current_remote_description());
  s.pending_remote = DescriptionValue::From(pc->pending_remote_description());
  s.has_sctp = has_sctp;
  if (auto trickle = pc->can_trickle_ice_candidates()) {
    s.can_trickle_known = true;
    s.can_trickle = *trickle;
  }
  return s;
}

Napi::Object SignalingSnapshot::ToJs(Napi::Env env) const {
  Napi::Object o = Napi::Object::New(env);
  o.Set("signalingState", signaling_state);
  o.Set("currentLocalDescription", nlw::ToJs(env, current_local));
  o.Set("pendingLocalDescription", nlw::ToJs(env, pending_local));
  o.Set("currentRemoteDescription", nlw::ToJs(env, current_remote));
  o.Set("pendingRemoteDescription", nlw::ToJs(env, pending_remote));
  o.Set("hasSctp", has_sctp);
  o.Set("seq", seq);
  o.Set("canTrickleIceCandidates",
        can_trickle_known ? Napi::Value(Napi::Boolean::New(env, can_trickle)) : env.Null());
  return o;
}

CandidateValue CandidateValue::From(const webrtc::IceCandidateInterface* c) {
  CandidateValue v;
  c->ToString(&v.candidate);
  v.sdp_mid = c->sdp_mid();
  v.sdp_mline_index = c->sdp_mline_index();
  v.username_fragment = c->candidate().username();
  return v;
}

Napi::Object CandidateValue::ToJs(Napi::Env env) const {
  Napi::Object o = Napi::Object::New(env);
  o.Set("candidate", candidate);
  o.Set("sdpMid", sdp_mid);
  o.Set("sdpMLineIndex", sdp_mline_index);
  o.Set("usernameFragment", username_fragment);
  return o;
}

}  // namespace nlw
