#include "wrap/peer_connection.h"

#include "addon.h"
#include "convert/configuration.h"
#include "convert/description_checks.h"
#include "convert/enums.h"
#include "convert/errors.h"
#include "convert/sdp.h"
#include "media/audio_forward_route.h"
#include "media/simulcast_layers.h"
#include "pc/peer_connection_internal.h"
#include "pc/peer_connection_proxy.h"
#include "pc/srtp_session.h"
#include "rtc_base/ref_counted_object.h"
#include "rtc_base/ssl_stream_adapter.h"
#include "rtc_base/thread.h"
#include "pc/session_description.h"
#include "runtime/network_thread.h"
#include "convert/rtp_parameters.h"
#include "wrap/data_channel.h"
#include "wrap/dtmf_sender.h"
#include "wrap/media_stream_track.h"
#include "wrap/rtp_transceiver.h"
#include "wrap/stats_request.h"
#include "wrap/rollback_data_mid.h"

#include <atomic>
#include <mutex>
#include <set>
#include <vector>

namespace nlw {

namespace {

using Deferred = Napi::Promise::Deferred;

Napi::Value Rejected(Napi::Env env, const ErrorValue& error) {
  Deferred d = Deferred::New(env);
  d.Reject(error.ToJs(env).Value());
  return d.Promise();
}

ErrorValue ClosedError() { return ErrorValue::Named("InvalidStateError", "The RTCPeerConnection is closed"); }

// Settles `deferred` on the JS thread.
void Settle(const std::shared_ptr<Dispatcher>& dispatcher, Deferred deferred,
            absl::AnyInvocable<Napi::Value(Napi::Env) &&> value) {
  dispatcher->Post([deferred, value = std::move(value)](Napi::Env env) mutable {
    deferred.Resolve(std::move(value)(env));
  });
}

void Fail(const std::shared_ptr<Dispatcher>& dispatcher, Deferred deferred, ErrorValue error) {
  dispatcher->Post([deferred, error = std::move(error)](Napi::Env env) mutable {
    deferred.Reject(error.ToJs(env).Value());
  });
}

// libwebrtc M108 lists audio/red twice when codec preferences put it after Opus (lib/red_twice.ts):
// the description handed out keeps each payload type once.
void DropRepeatedAudioCodecs(webrtc::SessionDescriptionInterface* desc) {
  if (desc == nullptr || desc->description() == nullptr) return;
  for (cricket::ContentInfo& content : desc->description()->contents()) {
    cricket::MediaContentDescription* media = content.media_description();
    cricket::AudioContentDescription* audio = media == nullptr ? nullptr : media->as_audio();
    if (audio == nullptr) continue;
    std::vector<cricket::AudioCodec> once;
    std::set<int> seen;
    for (const cricket::AudioCodec& codec : audio->codecs()) {
      if (seen.insert(codec.id).second) once.push_back(codec);
    }
    if (once.size() != audio->codecs().size()) audio->set_codecs(once);
  }
}

class CreateSdpObserver : public webrtc::CreateSessionDescriptionObserver {
 public:
  CreateSdpObserver(std::shared_ptr<Dispatcher> dispatcher, Deferred deferred)
      : dispatcher_(std::move(dispatcher)), deferred_(deferred) {}
  void OnSuccess(webrtc::SessionDescriptionInterface* desc) override {
    std::unique_ptr<webrtc::SessionDescriptionInterface> owned(desc);
    DropRepeatedAudioCodecs(owned.get());
    DescriptionValue v = *DescriptionValue::From(owned.get());
    Settle(dispatcher_, deferred_, [v = std::move(v)](Napi::Env env) -> Napi::Value {
      Napi::Object o = Napi::Object::New(env);
      o.Set("type", v.type);
      o.Set("sdp", v.sdp);
      return o;
    });
  }
  void OnFailure(webrtc::RTCError error) override { Fail(dispatcher_, deferred_, ErrorValue::From(error)); }

 private:
  std::shared_ptr<Dispatcher> dispatcher_;
  Deferred deferred_;
};

// Resolves with the new signaling snapshot, taken on the signaling thread at completion.
void CompleteDescription(const std::shared_ptr<PeerConnectionShared>& shared, Deferred deferred,
                         const webrtc::RTCError& error) {
  if (!error.ok() || shared->pc == nullptr) {
    Fail(shared->dispatcher, deferred,
         error.ok() ? ClosedError() : ErrorValue::From(error));
    return;
  }
  ForgetRolledBackDataMid(shared->pc);
  shared->FollowSctp();
  shared->RefreshChannelIds();
  shared->EmitTransceivers();
  SimulcastLayers::Update(shared->internal);  // an answer that accepted simulcast: one stream per layer
  SignalingSnapshot snap = shared->Snapshot();
  Settle(shared->dispatcher, deferred,
         [snap = std::move(snap)](Napi::Env env) -> Napi::Value { return snap.ToJs(env); });
}

template <typename Interface>
class DescriptionObserver : public Interface {
 public:
  DescriptionObserver(std::shared_ptr<PeerConnectionShared> shared, Deferred deferred)
      : shared_(std::move(shared)), deferred_(deferred) {}
  void OnSetLocalDescriptionComplete(webrtc::RTCError error) {
    CompleteDescription(shared_, deferred_, error);
    shared_->LocalDescriptionDone();
  }
  void OnSetRemoteDescriptionComplete(webrtc::RTCError error) { CompleteDescription(shared_, deferred_, error); }

 private:
  std::shared_ptr<PeerConnectionShared> shared_;
  Deferred deferred_;
};

class LocalObserver : public DescriptionObserver<webrtc::SetLocalDescriptionObserverInterface> {
 public:
  using DescriptionObserver::DescriptionObserver;
  void OnSetLocalDescriptionComplete(webrtc::RTCError error) override {
    DescriptionObserver::OnSetLocalDescriptionComplete(std::move(error));
  }
};

class RemoteObserver : public DescriptionObserver<webrtc::SetRemoteDescriptionObserverInterface> {
 public:
  using DescriptionObserver::DescriptionObserver;
  void OnSetRemoteDescriptionComplete(webrtc::RTCError error) override {
    DescriptionObserver::OnSetRemoteDescriptionComplete(std::move(error));
  }
};

std::string StringArg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : std::string();
}

// (type, sdp) arguments -> a libwebrtc description, or the error to reject with.
std::optional<ErrorValue> ParseDescription(const Napi::CallbackInfo& info,
                                           std::unique_ptr<webrtc::SessionDescriptionInterface>* out) {
  auto type = webrtc::SdpTypeFromString(StringArg(info, 0));
  if (!type) return ErrorValue::Named("TypeError", "Invalid RTCSdpType");
  webrtc::SdpParseError parse_error;
  *out = webrtc::CreateSessionDescription(*type, StringArg(info, 1), &parse_error);
  if (*out) {
    // Rejected as libwebrtc itself rejects "m=audio ... UDP/DTLS/SCTP" (convert/sdp.h says why).
    std::string section = UnserializableMediaSection(**out);
    std::string ptime = section.empty() ? PtimeConflict(**out) : std::string();
    std::string size = section.empty() && ptime.empty() ? NegativeMaxMessageSize(**out) : std::string();
    if (section.empty() && ptime.empty() && size.empty()) return std::nullopt;
    out->reset();
    parse_error.line = !section.empty() ? section : !ptime.empty() ? ptime : size;
    parse_error.description = !section.empty() ? "Unsupported protocol for media type"
                              : !ptime.empty() ? "(an audio maxptime must be above every minptime)"
                                               : "(a=max-message-size must not be negative)";
  }
  ErrorValue e = ErrorValue::Named("OPERATION_ERROR_WITH_DATA", "Failed to parse SessionDescription. " +
                                                                    parse_error.line + " " + parse_error.description);
  e.detail = "SDP_SYNTAX_ERROR";
  return e;
}

// The factory returns its proxy over the PeerConnection (pc/peer_connection_factory.cc), made
// by make_ref_counted (pc/proxy.h).
bool IsOnlyReference(webrtc::PeerConnectionInterface* pc) {
  return static_cast<rtc::RefCountedObject<webrtc::PeerConnectionProxy>*>(pc)->HasOneRef();
}

// libwebrtc initializes libsrtp when the first SRTP session of the process is keyed and shuts it
// down when the last one goes; every initialization runs libsrtp's cipher self-tests, 2.5-4 ms of
// the network thread. Each DTLS connection keys SRTP sessions the moment its handshake completes
// (data-channel-only ones too), and SCTP starts only after that: a program that connects after
// its previous connections have closed (the setup bench, tests, a reconnecting client) paid the
// self-tests on every connection, on the critical path. One idle session, made once on the network
// thread (it is bound to the thread that keys it) and never freed, keeps libsrtp initialized for
// the life of the process.
// Held in an atomic global rather than a function-local static that nothing reads: the compiler
// may drop such a static's storage, and LeakSanitizer then reports the session as leaked.
std::atomic<cricket::SrtpSession*> kept_srtp_session{nullptr};

void KeepLibsrtpInitialized(rtc::Thread* network_thread) {
  if (kept_srtp_session.load() != nullptr) return;
  // Until the task has run, every new connection posts one (a runtime may stop before running
  // it); all but the first find the session made. Every network thread of the process is one of
  // our shard threads, and the first task to run makes the session.
  network_thread->PostTask([] {
    static std::once_flag once;
    std::call_once(once, [] {
      auto session = std::make_unique<cricket::SrtpSession>();
      uint8_t key[30];  // SRTP_AES128_CM_HMAC_SHA1_80: 16-byte key + 14-byte salt
      for (size_t i = 0; i < sizeof(key); i++) key[i] = static_cast<uint8_t>(i * 37 + 11);
      session->SetSend(rtc::kSrtpAes128CmSha1_80, key, sizeof(key), {});
      kept_srtp_session.store(session.release());  // never freed, on purpose
    });
  });
}

}  // namespace

Napi::Function PeerConnection::Define(Napi::Env env) {
  return DefineClass(
      env, "NativePeerConnection",
      {InstanceMethod<&PeerConnection::CreateOffer>("createOffer"),
       InstanceMethod<&PeerConnection::CreateAnswer>("createAnswer"),
       InstanceMethod<&PeerConnection::SetLocalDescription>("setLocalDescription"),
       InstanceMethod<&PeerConnection::SetRemoteDescription>("setRemoteDescription"),
       InstanceMethod<&PeerConnection::AddIceCandidate>("addIceCandidate"),
       InstanceMethod<&PeerConnection::CreateDataChannel>("createDataChannel"),
       InstanceMethod<&PeerConnection::SetConfiguration>("setConfiguration"),
       InstanceMethod<&PeerConnection::ShouldFireNegotiationNeeded>("shouldFireNegotiationNeeded"),
       InstanceMethod<&PeerConnection::RestartIce>("restartIce"),
       InstanceMethod<&PeerConnection::Close>("close"),
       InstanceMethod<&PeerConnection::AddTrack>("addTrack"),
       InstanceMethod<&PeerConnection::AddTransceiver>("addTransceiver"),
       InstanceMethod<&PeerConnection::RemoveTrack>("removeTrack"),
       InstanceMethod<&PeerConnection::Transceivers>("transceivers"),
       InstanceMethod<&PeerConnection::GetStats>("getStats")});
}

PeerConnection::PeerConnection(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PeerConnection>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "NativePeerConnection(configuration, onEvent)").ThrowAsJavaScriptException();
    return;
  }
  std::shared_ptr<Runtime> runtime = Addon::Of(env)->runtime();
  std::string start_error;
  if (!runtime->EnsureStarted(&start_error)) {
    ThrowError(env, ErrorValue::Named("OperationError", start_error));
    return;
  }
  Runtime::Shard* shard = runtime->NextShard(&start_error);
  if (shard == nullptr) {
    ThrowError(env, ErrorValue::Named("OperationError", start_error));
    return;
  }
  KeepLibsrtpInitialized(shard->network.get());
  webrtc::PeerConnectionInterface::RTCConfiguration config;
  NetworkPolicy policy;
  ConfigurationFromJs(info[0].As<Napi::Object>(), &config, &policy);
  // webrtc-pc: a remote offer applied in have-local-offer rolls the local offer back first. Decided
  // when libwebrtc runs the operation, not when JS queued it: a setLocalDescription() still in
  // libwebrtc's chain (perfect negotiation's glare) is in have-local-offer by then.
  config.enable_implicit_rollback = true;

  shared_ = std::make_shared<PeerConnectionShared>();
  shared_->runtime = runtime;
  shared_->network_thread = shard->network.get();
  shared_->factory = shard->factory.get();
  *shared_->forward_encoded_video = ForwardEncodedVideoFromJs(info[0].As<Napi::Object>());
  shared_->dispatcher = runtime->dispatcher();
  shared_->link->target = this;
  LinkPtr<PeerConnection> link = shared_->link;
  shared_->transports = std::make_shared<TransportWatcher>(
      shared_->dispatcher, shard->network.get(),
      [link](Napi::Env env, const char* kind, Napi::Object snapshot) {
        if (PeerConnection* w = link->target)
          w->Emit(env, {Napi::String::New(env, "transport"), Napi::String::New(env, kind), snapshot});
      });
  observer_ = std::make_unique<PeerConnectionObserver>(shared_);

  webrtc::PeerConnectionDependencies deps(observer_.get());
  deps.allocator = shard->CreatePortAllocator(policy);
  // Before libwebrtc makes anything that could post a timer (runtime/network_thread.h).
  shared_->network_token = shard->network->ConnectionOpened();
  auto result = shard->factory->CreatePeerConnectionOrError(config, std::move(deps));
  if (!result.ok()) {
    shard->network->ConnectionClosed(shared_->network_token);
    ThrowError(env, ErrorValue::From(result.error()));
    return;
  }
  pc_ = result.MoveValue();
  shared_->pc = pc_.get();
  // The factory returns its proxy over the PeerConnection (pc/peer_connection_factory.cc).
  shared_->internal = static_cast<webrtc::PeerConnectionInternal*>(
      static_cast<webrtc::PeerConnectionProxy*>(pc_.get())->internal());
  on_event_ = Napi::Persistent(info[1].As<Napi::Function>());
  runtime->Register(this, /*is_channel=*/false);
  // An open connection keeps the event loop alive, as a socket would; close() lets go.
  runtime->dispatcher()->KeepAlive(env, +1);
  keeping_alive_ = true;
}

PeerConnection::~PeerConnection() {
  ReleaseNative();
  if (shared_) shared_->link->target = nullptr;
}

// close(), GC of the wrapper, or runtime shutdown. The closing work runs on the signaling thread,
// not here: Close() of a connected peer takes milliseconds there, and the JS thread (a GC
// finalizer, or a loop closing hundreds of peers) need not wait for it. Runtime::Shutdown waits
// for it before the threads stop.
void PeerConnection::ReleaseNative() {
  if (keeping_alive_) {
    keeping_alive_ = false;
    shared_->dispatcher->KeepAlive(Env(), -1);
  }
  if (!pc_) return;
  Runtime* rt = shared_->runtime.get();
  rt->Unregister(this);
  shared_->signaling_thread()->PostTask(
      [shared = shared_, pc = std::move(pc_), observer = std::move(observer_),
       abandon = rt->abandon_flag()]() mutable {
        if (abandon->load()) {  // the process is exiting: leave it all to the OS
          (void)pc.release();
          (void)observer.release();
          // Its watcher's observers may still be called until the network thread stops.
          (void)new std::shared_ptr<PeerConnectionShared>(std::move(shared));
          return;
        }
        shared->transports->Detach();
        SimulcastLayers::Forget(shared->internal);
        shared->pc = nullptr;
        shared->internal = nullptr;
        shared->sctp = nullptr;
        if (shared->stats_requests == 0) {
          DestroyConnection(std::move(shared), std::move(pc), std::move(observer));
          return;
        }
        // A getStats() still collecting: libwebrtc's Close() and destructor wait for its network
        // half, a task queued on this very thread (signaling = network here), behind this one: a
        // deadlock of the shard. Queued again, this runs after that task (Runtime::Shutdown waits
        // twice for the same reason); the pending report is then delivered as the connection goes.
        shared->signaling_thread()->PostTask(
            [shared = std::move(shared), pc = std::move(pc), observer = std::move(observer), abandon]() mutable {
              if (abandon->load()) {
                (void)pc.release();
                (void)observer.release();
                (void)new std::shared_ptr<PeerConnectionShared>(std::move(shared));
                return;
              }
              DestroyConnection(std::move(shared), std::move(pc), std::move(observer));
            });
      });
}

// Signaling thread: the closing work proper.
void PeerConnection::DestroyConnection(std::shared_ptr<PeerConnectionShared> shared,
                                       rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc,
                                       std::unique_ptr<PeerConnectionObserver> observer) {
  // libwebrtc's Close() first refreshes its legacy stats, which nothing here reads: 40% of
  // the closing work (perf; 400 pairs closed in 530-860 ms, without it 310-530 ms). Its
  // destructor tears everything down the same way without that, so when this is the last
  // reference to the connection, the destructor closes it.
  if (!IsOnlyReference(pc.get())) pc->Close();
  pc = nullptr;
  // Transceiver proxies release on this thread: `shared` may outlive the threads (the JS
  // wrapper holds it until GC or environment teardown).
  for (auto& watch : shared->dtmf_watches) watch->Stop();
  shared->dtmf_watches.clear();
  shared->transceiver_ids.clear();
  shared->tracks_added.clear();
  shared->tracks_removed.clear();
  // libwebrtc promises not to call the observer after Close() or destruction.
  observer.reset();
  shared->network_thread->ConnectionClosed(shared->network_token);
}

// The proxy would run these calls on the signaling thread too, but synchronously: the JS thread
// would wait for the whole operation (applying a description makes several blocking hops to the
// network thread, which may be busy with ICE and DTLS handshakes), and the events and settlements
// queued meanwhile would wait with it. Tasks posted here run in order, and in order with the
// proxy's own (blocking) calls and with the closing work of ReleaseNative, all of which queue
// on the same thread.
void PeerConnection::OnSignaling(absl::AnyInvocable<void(webrtc::PeerConnectionInterface*) &&> op) {
  shared_->signaling_thread()->PostTask(
      [pc = pc_, op = std::move(op)]() mutable { std::move(op)(pc.get()); });
}

void PeerConnection::Emit(Napi::Env env, std::initializer_list<napi_value> args) {
  if (!on_event_.IsEmpty()) on_event_.Call(args);
}

Napi::Value PeerConnection::CreateOffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) return Rejected(env, ClosedError());
  webrtc::PeerConnectionInterface::RTCOfferAnswerOptions options;
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Object o = info[0].As<Napi::Object>();
    if (o.Get("iceRestart").IsBoolean()) options.ice_restart = o.Get("iceRestart").As<Napi::Boolean>();
    if (o.Get("offerToReceiveAudio").IsNumber())
      options.offer_to_receive_audio = o.Get("offerToReceiveAudio").As<Napi::Number>().Int32Value();
    if (o.Get("offerToReceiveVideo").IsNumber())
      options.offer_to_receive_video = o.Get("offerToReceiveVideo").As<Napi::Number>().Int32Value();
    if (o.Get("voiceActivityDetection").IsBoolean())
      options.voice_activity_detection = o.Get("voiceActivityDetection").As<Napi::Boolean>();
  }
  Deferred d = Deferred::New(env);
  OnSignaling([observer = rtc::make_ref_counted<CreateSdpObserver>(shared_->dispatcher, d),
               options](webrtc::PeerConnectionInterface* pc) { pc->CreateOffer(observer.get(), options); });
  return d.Promise();
}

Napi::Value PeerConnection::CreateAnswer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) return Rejected(env, ClosedError());
  Deferred d = Deferred::New(env);
  OnSignaling([observer = rtc::make_ref_counted<CreateSdpObserver>(shared_->dispatcher, d)](
                  webrtc::PeerConnectionInterface* pc) {
    pc->CreateAnswer(observer.get(), webrtc::PeerConnectionInterface::RTCOfferAnswerOptions());
  });
  return d.Promise();
}

// setLocalDescription() | setLocalDescription(type, sdp)
Napi::Value PeerConnection::SetLocalDescription(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) return Rejected(env, ClosedError());
  Deferred d = Deferred::New(env);
  auto observer = rtc::make_ref_counted<LocalObserver>(shared_, d);
  if (info.Length() == 0 || info[0].IsUndefined()) {
    shared_->local_pending++;
    // Implicit: libwebrtc creates the offer or answer.
    OnSignaling([observer](webrtc::PeerConnectionInterface* pc) { pc->SetLocalDescription(observer); });
    return d.Promise();
  }
  std::unique_ptr<webrtc::SessionDescriptionInterface> desc;
  if (auto error = ParseDescription(info, &desc)) return Rejected(env, *error);
  shared_->local_pending++;
  OnSignaling([desc = std::move(desc), observer](webrtc::PeerConnectionInterface* pc) mutable {
    pc->SetLocalDescription(std::move(desc), observer);
  });
  return d.Promise();
}

Napi::Value PeerConnection::SetRemoteDescription(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) return Rejected(env, ClosedError());
  std::unique_ptr<webrtc::SessionDescriptionInterface> desc;
  if (auto error = ParseDescription(info, &desc)) return Rejected(env, *error);
  if (auto error = CheckRemoteDescription(*desc)) return Rejected(env, *error);
  Deferred d = Deferred::New(env);
  OnSignaling([desc = std::move(desc), observer = rtc::make_ref_counted<RemoteObserver>(shared_, d)](
                  webrtc::PeerConnectionInterface* pc) mutable {
    pc->SetRemoteDescription(std::move(desc), observer);
  });
  return d.Promise();
}

// addIceCandidate(candidate, sdpMid|null, sdpMLineIndex|null, usernameFragment|null)
Napi::Value PeerConnection::AddIceCandidate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) return Rejected(env, ClosedError());
  std::string line = StringArg(info, 0);
  std::string mid = StringArg(info, 1);
  int index = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : -1;
  std::string ufrag = StringArg(info, 3);
  webrtc::SdpParseError parse_error;
  std::unique_ptr<webrtc::IceCandidateInterface> parsed(
      webrtc::CreateIceCandidate(mid, index, line, &parse_error));
  if (!parsed) {
    return Rejected(env, ErrorValue::Named("OperationError",
                                           "Failed to parse ICE candidate: " + parse_error.description));
  }
  cricket::Candidate candidate = parsed->candidate();
  if (auto problem = CheckRemoteCandidate(candidate))
    return Rejected(env, ErrorValue::Named("OperationError", "Failed to parse ICE candidate: " + *problem));
  if (!ufrag.empty()) {
    if (!candidate.username().empty() && candidate.username() != ufrag)
      return Rejected(env, ErrorValue::Named("OperationError", "usernameFragment does not match the candidate"));
    candidate.set_username(ufrag);
  }
  std::unique_ptr<webrtc::IceCandidateInterface> owned = webrtc::CreateIceCandidate(mid, index, candidate);
  Deferred d = Deferred::New(env);
  std::shared_ptr<PeerConnectionShared> shared = shared_;
  OnSignaling([owned = std::move(owned), shared, d](webrtc::PeerConnectionInterface* pc) mutable {
    pc->AddIceCandidate(std::move(owned), [shared, d](webrtc::RTCError error) {
      if (!error.ok() || shared->pc == nullptr) {
        Fail(shared->dispatcher, d, error.ok() ? ClosedError() : ErrorValue::From(error));
        return;
      }
      SignalingSnapshot snap = shared->Snapshot();
      Settle(shared->dispatcher, d,
             [snap = std::move(snap)](Napi::Env env) -> Napi::Value { return snap.ToJs(env); });
    });
  });
  return d.Promise();
}

// createDataChannel(label, { ordered, maxPacketLifeTime, maxRetransmits, protocol, negotiated,
// id, priority }) -> NativeDataChannel. Spec checks were done in JS.
Napi::Value PeerConnection::CreateDataChannel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) {
    ThrowError(env, ClosedError());
    return env.Undefined();
  }
  webrtc::DataChannelInit init;
  if (info.Length() > 1 && info[1].IsObject()) {
    Napi::Object o = info[1].As<Napi::Object>();
    if (o.Get("ordered").IsBoolean()) init.ordered = o.Get("ordered").As<Napi::Boolean>();
    if (o.Get("maxPacketLifeTime").IsNumber())
      init.maxRetransmitTime = o.Get("maxPacketLifeTime").As<Napi::Number>().Int32Value();
    if (o.Get("maxRetransmits").IsNumber())
      init.maxRetransmits = o.Get("maxRetransmits").As<Napi::Number>().Int32Value();
    if (o.Get("protocol").IsString()) init.protocol = o.Get("protocol").As<Napi::String>().Utf8Value();
    if (o.Get("negotiated").IsBoolean()) init.negotiated = o.Get("negotiated").As<Napi::Boolean>();
    if (o.Get("id").IsNumber()) init.id = o.Get("id").As<Napi::Number>().Int32Value();
    webrtc::Priority priority;
    if (o.Get("priority").IsString() &&
        PriorityFromSpec(o.Get("priority").As<Napi::String>().Utf8Value(), &priority))
      init.priority = priority;
  }
  auto result = pc_->CreateDataChannelOrError(StringArg(info, 0), &init);
  if (!result.ok()) {
    ThrowError(env, ErrorValue::From(result.error()));
    return env.Undefined();
  }
  auto core = std::make_shared<DataChannelCore>(shared_->runtime, result.MoveValue(), shared_);
  core->Observe();
  return DataChannel::Create(env, core);
}

Napi::Value PeerConnection::SetConfiguration(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) {
    ThrowError(env, ClosedError());
    return env.Undefined();
  }
  // Start from libwebrtc's own view so that fields JS does not control compare equal.
  webrtc::PeerConnectionInterface::RTCConfiguration config = pc_->GetConfiguration();
  config.servers.clear();
  ConfigurationFromJs(info[0].As<Napi::Object>(), &config, nullptr);
  *shared_->forward_encoded_video = ForwardEncodedVideoFromJs(info[0].As<Napi::Object>());
  webrtc::RTCError result = pc_->SetConfiguration(config);
  if (!result.ok()) ThrowError(env, ErrorValue::From(result));
  return env.Undefined();
}

Napi::Value PeerConnection::ShouldFireNegotiationNeeded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Deferred d = Deferred::New(env);
  if (Closed() || info.Length() < 1 || !info[0].IsNumber()) {
    d.Resolve(Napi::Boolean::New(env, false));
    return d.Promise();
  }
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  OnSignaling([shared = shared_, d, id](webrtc::PeerConnectionInterface* pc) {
    bool fire = shared->pc != nullptr && pc->ShouldFireNegotiationNeededEvent(id);
    Settle(shared->dispatcher, d, [fire](Napi::Env env) -> Napi::Value { return Napi::Boolean::New(env, fire); });
  });
  return d.Promise();
}

Napi::Value PeerConnection::RestartIce(const Napi::CallbackInfo& info) {
  if (!Closed()) pc_->RestartIce();
  return info.Env().Undefined();
}

Napi::Value PeerConnection::Close(const Napi::CallbackInfo& info) {
  ReleaseNative();
  on_event_.Reset();
  return info.Env().Undefined();
}

// ------------------------------------------------------------------ media

Napi::Array PeerConnection::TransceiversToJs(Napi::Env env, const std::vector<TransceiverState>& states) {
  Napi::Array out = Napi::Array::New(env, states.size());
  for (size_t i = 0; i < states.size(); i++) {
    const TransceiverState& s = states[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", s.id);
    o.Set("kind", s.kind);
    o.Set("mid", s.mid ? Napi::Value(Napi::String::New(env, *s.mid)) : env.Null());
    o.Set("direction", s.direction);
    o.Set("currentDirection",
          s.current_direction ? Napi::Value(Napi::String::New(env, *s.current_direction)) : env.Null());
    o.Set("stopped", s.stopped);
    o.Set("stopping", s.stopping);
    Napi::Array streams = Napi::Array::New(env, s.receiver_stream_ids.size());
    for (size_t k = 0; k < s.receiver_stream_ids.size(); k++) streams.Set(k, s.receiver_stream_ids[k]);
    o.Set("streamIds", streams);
    if (delivered_transceivers_.insert(s.id).second) {
      o.Set("native", RtpTransceiver::NewInstance(env, s.transceiver, shared_->signaling_thread(), shared_->factory,
                                                   shared_->forward_encoded_video, shared_));
      if (s.receiver_track) o.Set("track", MediaStreamTrack::NewInstance(env, s.receiver_track, shared_->factory, s.receiver, shared_));
    }
    out.Set(i, o);
  }
  return out;
}

Napi::Value PeerConnection::TransceiversWith(
    Napi::Env env, absl::AnyInvocable<bool(webrtc::RtpTransceiverInterface*)> match) {
  std::vector<TransceiverState> states;
  int64_t found = -1;
  shared_->signaling_thread()->BlockingCall([&] {
    states = TransceiverState::TakeAll(shared_.get());
    for (auto& s : states) {
      if (match && match(s.transceiver.get())) {
        found = s.id;
        break;
      }
    }
  });
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", static_cast<double>(found));
  o.Set("transceivers", TransceiversToJs(env, states));
  return o;
}

// addTrack(nativeTrack, streamIds) -> { id, transceivers }. JS checked the spec's rules.
Napi::Value PeerConnection::AddTrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) {
    ThrowError(env, ClosedError());
    return env.Undefined();
  }
  MediaStreamTrack* track = info.Length() > 0 ? MediaStreamTrack::Unwrap(info[0]) : nullptr;
  if (track == nullptr) {
    Napi::TypeError::New(env, "addTrack: not a MediaStreamTrack").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  rtc::scoped_refptr<RelayAudioFeed> feed;
  std::shared_ptr<ForwardSource> forward;
  auto result = pc_->AddTrack(track->TrackFor(shared_->factory, *shared_->forward_encoded_video, &feed, &forward),
                              StringList(info.Length() > 1 ? info[1] : env.Undefined()));
  if (!result.ok()) {
    ThrowError(env, ErrorValue::From(result.error()));
    return env.Undefined();
  }
  rtc::scoped_refptr<webrtc::RtpSenderInterface> sender = result.MoveValue();
  if (feed) AudioForwardRoute::Bind(sender, feed);  // forwarded Opus (media/audio_forward_route.h)
  if (forward) RtpForwarder::Bind(sender, shared_, shared_->signaling_thread(), std::move(forward));
  return TransceiversWith(env, [sender](webrtc::RtpTransceiverInterface* t) { return t->sender() == sender; });
}

// addTransceiver(nativeTrack | 'audio' | 'video', { direction, streams, sendEncodings })
Napi::Value PeerConnection::AddTransceiver(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) {
    ThrowError(env, ClosedError());
    return env.Undefined();
  }
  webrtc::RtpTransceiverInit init;
  if (info.Length() > 1 && info[1].IsObject()) {
    Napi::Object o = info[1].As<Napi::Object>();
    if (o.Get("direction").IsString())
      DirectionFromName(o.Get("direction").As<Napi::String>().Utf8Value(), &init.direction);
    init.stream_ids = StringList(o.Get("streams"));
    init.send_encodings = EncodingsFromJs(o.Get("sendEncodings"));
  }
  webrtc::RTCErrorOr<rtc::scoped_refptr<webrtc::RtpTransceiverInterface>> result =
      webrtc::RTCError(webrtc::RTCErrorType::INVALID_PARAMETER, "addTransceiver: invalid track or kind");
  rtc::scoped_refptr<RelayAudioFeed> feed;
  std::shared_ptr<ForwardSource> forward;
  if (info.Length() > 0 && info[0].IsString()) {
    std::string kind = info[0].As<Napi::String>().Utf8Value();
    const cricket::MediaType type = kind == "audio" ? cricket::MEDIA_TYPE_AUDIO : cricket::MEDIA_TYPE_VIDEO;
    webrtc::RTCError checked = CheckSendEncodings(type, init.send_encodings);
    if (!checked.ok()) result = std::move(checked);
    else if (kind == "audio" || kind == "video") result = pc_->AddTransceiver(type, init);
  } else if (MediaStreamTrack* track = info.Length() > 0 ? MediaStreamTrack::Unwrap(info[0]) : nullptr) {
    rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> t =
        track->TrackFor(shared_->factory, *shared_->forward_encoded_video, &feed, &forward);
    webrtc::RTCError checked = CheckSendEncodings(
        t->kind() == webrtc::MediaStreamTrackInterface::kAudioKind ? cricket::MEDIA_TYPE_AUDIO : cricket::MEDIA_TYPE_VIDEO,
        init.send_encodings);
    if (!checked.ok()) result = std::move(checked);
    else result = pc_->AddTransceiver(t, init);
  }
  if (!result.ok()) {
    ThrowError(env, ErrorValue::From(result.error()));
    return env.Undefined();
  }
  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> made = result.MoveValue();
  if (feed) AudioForwardRoute::Bind(made->sender(), feed);  // forwarded Opus (media/audio_forward_route.h)
  if (forward) RtpForwarder::Bind(made->sender(), shared_, shared_->signaling_thread(), std::move(forward));
  return TransceiversWith(env, [made](webrtc::RtpTransceiverInterface* t) { return t == made.get(); });
}

// removeTrack(nativeTransceiver) -> { id, transceivers }
Napi::Value PeerConnection::RemoveTrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) {
    ThrowError(env, ClosedError());
    return env.Undefined();
  }
  RtpTransceiver* t = info.Length() > 0 ? RtpTransceiver::Unwrap(info[0]) : nullptr;
  if (t == nullptr || t->transceiver() == nullptr) {
    Napi::TypeError::New(env, "removeTrack: not a sender of this connection").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  webrtc::RTCError e = pc_->RemoveTrackOrError(t->transceiver()->sender());
  if (!e.ok()) {
    ThrowError(env, ErrorValue::From(e));
    return env.Undefined();
  }
  return TransceiversWith(env, nullptr);
}

// transceivers() -> { id: -1, transceivers }: the current states (after direction/stop changes).
Napi::Value PeerConnection::Transceivers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", -1);
    o.Set("transceivers", Napi::Array::New(env, 0));
    return o;
  }
  return TransceiversWith(env, nullptr);
}

// getStats(nativeTransceiver | null, 'sender' | 'receiver' | undefined, timeOriginMs) -> Promise of
// an array of stats objects. JS chose the selector (webrtc-pc's stats selection algorithm).
Napi::Value PeerConnection::GetStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed()) return Rejected(env, ClosedError());
  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver;
  StatsSelector selector = StatsSelector::kNone;
  if (info.Length() > 1 && info[1].IsString()) {
    RtpTransceiver* t = RtpTransceiver::Unwrap(info[0]);
    if (t == nullptr || t->transceiver() == nullptr) {
      return Rejected(env, ErrorValue::Named("TypeError", "getStats: not a transceiver of this connection"));
    }
    transceiver = rtc::scoped_refptr<webrtc::RtpTransceiverInterface>(t->transceiver());
    selector = info[1].As<Napi::String>().Utf8Value() == "receiver" ? StatsSelector::kReceiver : StatsSelector::kSender;
  }
  double origin = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : 0;
  Deferred d = Deferred::New(env);
  OnSignaling([shared = shared_, transceiver, selector, d, origin](webrtc::PeerConnectionInterface* pc) {
    RequestStats(shared, pc, transceiver, selector, d, origin);
  });
  return d.Promise();
}

}  // namespace nlw
