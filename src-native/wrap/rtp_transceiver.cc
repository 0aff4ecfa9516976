#include "wrap/rtp_transceiver.h"

#include "addon.h"
#include "convert/errors.h"
#include "convert/rtp_parameters.h"
#include "media/audio_forward_route.h"
#include "wrap/dtmf_sender.h"
#include "wrap/media_stream_track.h"
#include "wrap/peer_connection_observer.h"

namespace nlw {

namespace {

// Reports the first packet of a receiver: its remote track is unmuted then (webrtc-pc).
class FirstPacketObserver : public webrtc::RtpReceiverObserverInterface {
 public:
  FirstPacketObserver(std::weak_ptr<PeerConnectionShared> shared, uint32_t id)
      : shared_(std::move(shared)), id_(id) {}
  void OnFirstPacketReceived(cricket::MediaType) override {
    if (auto shared = shared_.lock()) shared->EmitUnmute(id_);
  }

 private:
  std::weak_ptr<PeerConnectionShared> shared_;
  uint32_t id_;
};

}  // namespace

std::vector<std::string> StringList(Napi::Value v) {
  std::vector<std::string> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    if (a.Get(i).IsString()) out.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  }
  return out;
}

const char* DirectionName(webrtc::RtpTransceiverDirection d) {
  switch (d) {
    case webrtc::RtpTransceiverDirection::kSendRecv: return "sendrecv";
    case webrtc::RtpTransceiverDirection::kSendOnly: return "sendonly";
    case webrtc::RtpTransceiverDirection::kRecvOnly: return "recvonly";
    case webrtc::RtpTransceiverDirection::kInactive: return "inactive";
    case webrtc::RtpTransceiverDirection::kStopped: return "stopped";
  }
  return "inactive";
}

bool DirectionFromName(const std::string& name, webrtc::RtpTransceiverDirection* out) {
  if (name == "sendrecv") *out = webrtc::RtpTransceiverDirection::kSendRecv;
  else if (name == "sendonly") *out = webrtc::RtpTransceiverDirection::kSendOnly;
  else if (name == "recvonly") *out = webrtc::RtpTransceiverDirection::kRecvOnly;
  else if (name == "inactive") *out = webrtc::RtpTransceiverDirection::kInactive;
  else if (name == "stopped") *out = webrtc::RtpTransceiverDirection::kStopped;
  else return false;
  return true;
}

std::vector<TransceiverState> TransceiverState::TakeAll(PeerConnectionShared* shared) {
  std::vector<TransceiverState> out;
  if (shared->pc == nullptr) return out;
  auto all = shared->pc->GetTransceivers();
  std::map<webrtc::RtpTransceiverInterface*, PeerConnectionShared::KnownTransceiver> kept;
  for (auto& t : all) {
    auto it = shared->transceiver_ids.find(t.get());
    PeerConnectionShared::KnownTransceiver known;
    if (it != shared->transceiver_ids.end()) {
      known = it->second;
    } else {
      known.id = shared->next_transceiver_id++;
      known.ref = t;
      // shared_ptr: it deletes through the concrete type (the interface's destructor is protected).
      std::shared_ptr<webrtc::RtpReceiverObserverInterface> observer =
          std::make_shared<FirstPacketObserver>(shared->weak_from_this(), known.id);
      t->receiver()->SetObserver(observer.get());
      shared->receiver_observers.push_back(std::move(observer));
      if (auto watch = DtmfToneWatch::Start(shared->weak_from_this(), known.id, t.get())) {
        shared->dtmf_watches.push_back(std::move(watch));
      }
    }
    kept[t.get()] = known;
    TransceiverState s;
    s.id = known.id;
    s.transceiver = t;
    s.kind = t->media_type() == cricket::MEDIA_TYPE_AUDIO ? "audio" : "video";
    if (auto mid = t->mid()) s.mid = *mid;
    s.direction = DirectionName(t->direction());
    if (auto cd = t->current_direction()) s.current_direction = DirectionName(*cd);
    s.stopped = t->stopped();
    s.stopping = t->stopping();
    s.receiver_stream_ids = t->receiver()->stream_ids();
    s.receiver = t->receiver();
    s.receiver_track = s.receiver->track();
    out.push_back(std::move(s));
  }
  // Transceivers libwebrtc dropped (rollback, stopped ones after negotiation) leave the map.
  shared->transceiver_ids.swap(kept);
  return out;
}

Napi::Function RtpTransceiver::Define(Napi::Env env) {
  return DefineClass(env, "NativeRtpTransceiver",
                     {InstanceMethod<&RtpTransceiver::SetDirection>("setDirection"),
                      InstanceMethod<&RtpTransceiver::Stop>("stop"),
                      InstanceMethod<&RtpTransceiver::SetCodecPreferences>("setCodecPreferences"),
                      InstanceMethod<&RtpTransceiver::ReplaceTrack>("replaceTrack"),
                      InstanceMethod<&RtpTransceiver::SetStreams>("setStreams"),
                      InstanceMethod<&RtpTransceiver::SenderStreamIds>("senderStreamIds"),
                      InstanceMethod<&RtpTransceiver::SenderParameters>("senderParameters"),
                      InstanceMethod<&RtpTransceiver::SetSenderParameters>("setSenderParameters"),
                      InstanceMethod<&RtpTransceiver::ReceiverParameters>("receiverParameters"),
                      InstanceMethod<&RtpTransceiver::Sources>("sources"),
                      InstanceMethod<&RtpTransceiver::WatchAudio>("watchAudio"),
                      InstanceMethod<&RtpTransceiver::SetJitterBufferTarget>("setJitterBufferTarget"),
                      InstanceMethod<&RtpTransceiver::CanInsertDtmf>("canInsertDtmf"),
                      InstanceMethod<&RtpTransceiver::InsertDtmf>("insertDtmf"),
                      InstanceMethod<&RtpTransceiver::Release>("release")});
}

namespace {
struct TransceiverInit {
  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver;
  rtc::Thread* signaling;
  webrtc::PeerConnectionFactoryInterface* factory;
  std::shared_ptr<bool> forward_encoded_video;
  std::weak_ptr<PeerConnectionShared> pc;
};
}  // namespace

Napi::Object RtpTransceiver::NewInstance(Napi::Env env, rtc::scoped_refptr<webrtc::RtpTransceiverInterface> t,
                                         rtc::Thread* signaling,
                                         webrtc::PeerConnectionFactoryInterface* factory,
                                         std::shared_ptr<bool> forward_encoded_video,
                                         std::weak_ptr<PeerConnectionShared> pc) {
  TransceiverInit init{std::move(t), signaling, factory, std::move(forward_encoded_video), std::move(pc)};
  auto ext = Napi::External<TransceiverInit>::New(env, &init);
  return Addon::Of(env)->transceiver_constructor().New({ext});
}

RtpTransceiver* RtpTransceiver::Unwrap(Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  Napi::Env env = value.Env();
  if (!value.As<Napi::Object>().InstanceOf(Addon::Of(env)->transceiver_constructor().Value())) return nullptr;
  return Napi::ObjectWrap<RtpTransceiver>::Unwrap(value.As<Napi::Object>());
}

RtpTransceiver::RtpTransceiver(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RtpTransceiver>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal()) {
    Napi::TypeError::New(env, "Illegal constructor").ThrowAsJavaScriptException();
    return;
  }
  TransceiverInit* init = info[0].As<Napi::External<TransceiverInit>>().Data();
  transceiver_ = init->transceiver;
  signaling_ = init->signaling;
  factory_ = init->factory;
  forward_encoded_video_ = init->forward_encoded_video;
  pc_ = init->pc;
  runtime_ = Addon::Of(env)->runtime();
  runtime_->RegisterTransceiver(this);
}

RtpTransceiver::~RtpTransceiver() { ReleaseNative(); }

void RtpTransceiver::ReleaseNative() {
  if (!transceiver_) return;
  runtime_->Unregister(this);
  watch_demand_ = AudioDemand::Hold();
  if (link_) {
    // Its holders may be on any thread: they find it empty from here on.
    std::lock_guard<std::mutex> lock(link_->mu);
    link_->transceiver = nullptr;
  }
  link_ = nullptr;
  // Dropped on the signaling thread, behind what is queued there: dropping the proxy here would
  // make its destructor wait for the signaling thread (a blocking hop), behind every close queued
  // on it. At exit that wait came before Runtime::Shutdown's budget for those closes: closing 50
  // pairs sending video and returning from main took 1-4.6 s on a loaded 2-core machine.
  // (When an exiting process abandons the closes, this release is abandoned with them.)
  if (signaling_ != nullptr && !signaling_->IsCurrent()) {
    signaling_->PostTask([t = std::move(transceiver_)]() mutable { t = nullptr; });
  }
  transceiver_ = nullptr;
}

// release(): the connection closed; its libwebrtc objects go now rather than at GC.
Napi::Value RtpTransceiver::Release(const Napi::CallbackInfo& info) {
  ReleaseNative();
  return info.Env().Undefined();
}

std::shared_ptr<TransceiverLink> RtpTransceiver::Link() {
  if (!transceiver_) return nullptr;
  if (!link_) {
    link_ = std::make_shared<TransceiverLink>();
    link_->transceiver = transceiver_;
  }
  return link_;
}

bool RtpTransceiver::Live(Napi::Env env) {
  if (transceiver_) return true;
  ThrowError(env, ErrorValue::Named("InvalidStateError", "The RTCPeerConnection is closed"));
  return false;
}

// setDirection(direction)
Napi::Value RtpTransceiver::SetDirection(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  webrtc::RtpTransceiverDirection d;
  if (info.Length() < 1 || !info[0].IsString() || !DirectionFromName(info[0].As<Napi::String>().Utf8Value(), &d)) {
    Napi::TypeError::New(env, "invalid direction").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  webrtc::RTCError e = transceiver_->SetDirectionWithError(d);
  if (!e.ok()) ThrowError(env, ErrorValue::From(e));
  return env.Undefined();
}

Napi::Value RtpTransceiver::Stop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  webrtc::RTCError e = transceiver_->StopStandard();
  if (!e.ok()) ThrowError(env, ErrorValue::From(e));
  return env.Undefined();
}

// setCodecPreferences([{ mimeType, clockRate, channels, sdpFmtpLine }])
Napi::Value RtpTransceiver::SetCodecPreferences(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  std::vector<webrtc::RtpCodecCapability> codecs;
  if (info.Length() > 0 && info[0].IsArray()) {
    Napi::Array a = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      webrtc::RtpCodecCapability c;
      if (!a.Get(i).IsObject() || !CodecCapabilityFromJs(a.Get(i).As<Napi::Object>(), &c)) {
        ThrowError(env, ErrorValue::Named("InvalidModificationError", "Invalid codec preferences: unknown codec"));
        return env.Undefined();
      }
      codecs.push_back(std::move(c));
    }
  }
  webrtc::RTCError e = transceiver_->SetCodecPreferences(codecs);
  if (!e.ok()) ThrowError(env, ErrorValue::From(e));
  return env.Undefined();
}

// replaceTrack(nativeTrack | null) -> boolean
Napi::Value RtpTransceiver::ReplaceTrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track;
  rtc::scoped_refptr<RelayAudioFeed> feed;
  std::shared_ptr<ForwardSource> forward;
  if (info.Length() > 0 && !info[0].IsNull() && !info[0].IsUndefined()) {
    MediaStreamTrack* t = MediaStreamTrack::Unwrap(info[0]);
    if (t == nullptr) {
      Napi::TypeError::New(env, "not a MediaStreamTrack").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    track = t->TrackFor(factory_, !forward_encoded_video_ || *forward_encoded_video_, &feed,
                        pc_.expired() ? nullptr : &forward);
  }
  rtc::scoped_refptr<webrtc::RtpSenderInterface> sender = transceiver_->sender();
  // Forwarded Opus (media/audio_forward_route.h), set before the track so that its first audio
  // is forwarded; a route of a track sent before forwards nothing more.
  if (transceiver_->media_type() == cricket::MEDIA_TYPE_AUDIO) AudioForwardRoute::Bind(sender, feed);
  // RTP forwarding (media/rtp_forwarder.h): the sender's earlier binding ends here in any case.
  if (forward || !pc_.expired()) RtpForwarder::Bind(sender, pc_, signaling_, std::move(forward));
  return Napi::Boolean::New(env, sender->SetTrack(track.get()));
}

Napi::Value RtpTransceiver::SetStreams(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  transceiver_->sender()->SetStreams(StringList(info.Length() > 0 ? info[0] : env.Undefined()));
  return env.Undefined();
}

Napi::Value RtpTransceiver::SenderStreamIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  auto ids = transceiver_->sender()->stream_ids();
  Napi::Array a = Napi::Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); i++) a.Set(i, ids[i]);
  return a;
}

Napi::Value RtpTransceiver::SenderParameters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  return RtpParametersToJs(env, transceiver_->sender()->GetParameters(), /*sender=*/true);
}

// setSenderParameters(parameters): JS checked the spec's rules (transactionId, read-only
// members); libwebrtc checks the values.
Napi::Value RtpTransceiver::SetSenderParameters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "parameters must be an object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  webrtc::RtpParameters p = transceiver_->sender()->GetParameters();
  ApplySendParameters(info[0].As<Napi::Object>(), &p);
  webrtc::RTCError e = CheckSendEncodings(transceiver_->media_type(), p.encodings);
  if (e.ok()) e = transceiver_->sender()->SetParameters(p);
  if (!e.ok()) ThrowError(env, ErrorValue::From(e));
  return env.Undefined();
}

Napi::Value RtpTransceiver::ReceiverParameters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  return RtpParametersToJs(env, transceiver_->receiver()->GetParameters(), /*sender=*/false);
}

// sources('ssrc' | 'csrc')
Napi::Value RtpTransceiver::Sources(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  bool csrc = info.Length() > 0 && info[0].IsString() && info[0].As<Napi::String>().Utf8Value() == "csrc";
  return RtpSourcesToJs(env, transceiver_->receiver()->GetSources(),
                        csrc ? webrtc::RtpSourceType::CSRC : webrtc::RtpSourceType::SSRC);
}

// watchAudio(on): while on, the receiver's audio is decoded even with no consumer, so that the
// synchronization sources (updated at playout) show packets flowing.
void RtpTransceiver::WatchAudio(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return;
  bool on = info.Length() > 0 && info[0].ToBoolean().Value();
  if (!on) {
    watch_demand_ = AudioDemand::Hold();
    return;
  }
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track = transceiver_->receiver()->track();
  if (track && track->kind() == webrtc::MediaStreamTrackInterface::kAudioKind) watch_demand_ = AudioDemand::Hold(track.get());
}

// setJitterBufferTarget(ms | null)
Napi::Value RtpTransceiver::SetJitterBufferTarget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Live(env)) return env.Undefined();
  absl::optional<double> seconds;
  if (info.Length() > 0 && info[0].IsNumber()) seconds = info[0].As<Napi::Number>().DoubleValue() / 1000.0;
  transceiver_->receiver()->SetJitterBufferMinimumDelay(seconds);
  return env.Undefined();
}

Napi::Value RtpTransceiver::CanInsertDtmf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!transceiver_) return Napi::Boolean::New(env, false);
  return Napi::Boolean::New(env, DtmfCanInsert(transceiver_.get()));
}

// insertDtmf(tone, duration, interToneGap) -> boolean: one tone, checked and clamped by JS.
Napi::Value RtpTransceiver::InsertDtmf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!transceiver_) return Napi::Boolean::New(env, false);
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "insertDtmf(tone, duration, interToneGap)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Boolean::New(env, DtmfInsertTone(transceiver_.get(), info[0].As<Napi::String>().Utf8Value(),
                                                info[1].As<Napi::Number>().Int32Value(),
                                                info[2].As<Napi::Number>().Int32Value()));
}

}  // namespace nlw
