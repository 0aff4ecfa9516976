#include "wrap/encoded_streams.h"

#include <cstring>

#include "addon.h"
#include "api/rtp_headers.h"
#include "media/transformer_slots.h"
#include "wrap/rtp_transceiver.h"

namespace nlw {

namespace {

// One encoded frame held by JS: the frame (until it goes back to libwebrtc) and its bridge.
struct FrameBox {
  std::unique_ptr<webrtc::TransformableFrameInterface> frame;
  rtc::scoped_refptr<EncodedFrameBridge> bridge;
  std::weak_ptr<Runtime> runtime;  // of the environment that holds the frame

  ~FrameBox() {
    // Finalizers also run when the environment is torn down, after its libwebrtc threads have
    // stopped; the bridge may then be the last holder of libwebrtc proxies whose destructors post
    // to those threads. At that point the process or Worker is ending: let the bridge go unfreed.
    auto rt = runtime.lock();
    if (!rt || rt->shut_down()) (void)bridge.release();
  }
};

FrameBox* Box(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) {
    Napi::TypeError::New(info.Env(), "not an encoded frame").ThrowAsJavaScriptException();
    return nullptr;
  }
  return info[0].As<Napi::External<FrameBox>>().Data();
}

uint64_t IdArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) return 0;
  double d = info[i].As<Napi::Number>().DoubleValue();
  return d >= 1 ? static_cast<uint64_t>(d) : 0;
}

Napi::Array NumberArray(Napi::Env env, const int64_t* p, size_t n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) a.Set(static_cast<uint32_t>(i), static_cast<double>(p[i]));
  return a;
}

}  // namespace

// --- the frames' way to JS ------------------------------------------------------------------

void EncodedStreamsCore::OnEncodedFrame(std::unique_ptr<webrtc::TransformableFrameInterface> frame) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(frame));
  if (posted_) return;
  posted_ = true;
  dispatcher_->Post([self = shared_from_this()](Napi::Env env) { self->Deliver(env); });
}

void EncodedStreamsCore::OnBridgeClosed() {
  // The wrapper's frame callback is a GC root holding the streams (and this core, the bridge):
  // released, they are collected once the application drops them.
  dispatcher_->Post([self = shared_from_this()](Napi::Env) {
    if (EncodedStreams* target = self->link_->target) target->ReleaseNative();
  });
}

void EncodedStreamsCore::Deliver(Napi::Env env) {
  std::deque<std::unique_ptr<webrtc::TransformableFrameInterface>> frames;
  {
    std::lock_guard<std::mutex> lock(mu_);
    frames.swap(queue_);
    posted_ = false;
  }
  EncodedStreams* target = link_->target;
  if (target == nullptr) return;  // closed: the frames are dropped, as a dead worker drops them
  Napi::HandleScope scope(env);
  Napi::Array out = Napi::Array::New(env, frames.size());
  uint32_t i = 0;
  for (auto& f : frames) {
    auto* box = new FrameBox{std::move(f), bridge_, Addon::Of(env)->runtime()};
    out.Set(i++, Napi::External<FrameBox>::New(env, box, [](Napi::Env, FrameBox* b) { delete b; }));
  }
  target->Emit(out);
}

// --- NativeEncodedStreams ---------------------------------------------------------------------

Napi::Function EncodedStreams::Define(Napi::Env env) {
  return DefineClass(env, "NativeEncodedStreams",
                     {InstanceMethod<&EncodedStreams::Close>("close"),
                      StaticMethod<&EncodedStreams::CreateBridge>("createBridge"),
                      StaticMethod<&EncodedStreams::ReleaseBridge>("releaseBridge"),
                      StaticMethod<&EncodedStreams::BridgeInfo>("bridgeInfo"),
                      StaticMethod<&EncodedStreams::Install>("install"),
                      StaticMethod<&EncodedStreams::PassThrough>("passThrough"),
                      StaticMethod<&EncodedStreams::RequestKeyFrame>("requestKeyFrame"),
                      StaticMethod<&EncodedStreams::GenerateKeyFrame>("generateKeyFrame"),
                      StaticMethod<&EncodedStreams::Offer>("offer"),
                      StaticMethod<&EncodedStreams::FrameData>("frameData"),
                      StaticMethod<&EncodedStreams::SetFrameData>("setFrameData"),
                      StaticMethod<&EncodedStreams::FrameInfo>("frameInfo"),
                      StaticMethod<&EncodedStreams::ReturnFrame>("returnFrame")});
}

EncodedStreams::EncodedStreams(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EncodedStreams>(info) {
  Napi::Env env = info.Env();
  rtc::scoped_refptr<EncodedFrameBridge> bridge = EncodedTransformRegistry::Find(IdArg(info, 0));
  if (!bridge || info.Length() < 2 || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "NativeEncodedStreams(bridgeId, onFrames): a live bridge and a function")
        .ThrowAsJavaScriptException();
    return;
  }
  runtime_ = Addon::Of(env)->runtime();
  on_frames_ = Napi::Persistent(info[1].As<Napi::Function>());
  core_ = std::make_shared<EncodedStreamsCore>(runtime_->dispatcher(), bridge);
  core_->link()->target = this;
  runtime_->RegisterSink(this);
  bridge->Attach(core_);
}

EncodedStreams::~EncodedStreams() { ReleaseNative(); }

void EncodedStreams::ReleaseNative() {
  on_frames_.Reset();
  if (!core_) return;
  runtime_->Unregister(this);
  core_->link()->target = nullptr;
  core_->bridge()->Detach(core_.get());
  core_.reset();
}

void EncodedStreams::Emit(Napi::Value frames) {
  if (on_frames_.IsEmpty()) return;
  on_frames_.Call({frames});
}

Napi::Value EncodedStreams::Close(const Napi::CallbackInfo& info) {
  ReleaseNative();
  return info.Env().Undefined();
}

Napi::Value EncodedStreams::CreateBridge(const Napi::CallbackInfo& info) {
  auto bridge = rtc::make_ref_counted<EncodedFrameBridge>();
  return Napi::Number::New(info.Env(), static_cast<double>(EncodedTransformRegistry::Add(bridge)));
}

// { kind, side } once installed, else null.
Napi::Value EncodedStreams::BridgeInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bridge = EncodedTransformRegistry::Find(IdArg(info, 0));
  if (!bridge || !bridge->installed()) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("kind", bridge->video() ? "video" : "audio");
  o.Set("side", bridge->sender() ? "sender" : "receiver");
  return o;
}

Napi::Value EncodedStreams::ReleaseBridge(const Napi::CallbackInfo& info) {
  EncodedTransformRegistry::Remove(IdArg(info, 0));
  return info.Env().Undefined();
}

// install(nativeTransceiver, 'sender' | 'receiver', bridgeId): the bridge becomes the sender's
// encoder-to-packetizer or the receiver's depacketizer-to-decoder transformer (a blocking hop to the
// connection's thread through libwebrtc's proxy; the media stream is re-created with it).
Napi::Value EncodedStreams::Install(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RtpTransceiver* t = info.Length() > 0 ? RtpTransceiver::Unwrap(info[0]) : nullptr;
  rtc::scoped_refptr<EncodedFrameBridge> bridge = EncodedTransformRegistry::Find(IdArg(info, 2));
  if (t == nullptr || t->transceiver() == nullptr || !bridge || !info[1].IsString()) {
    Napi::TypeError::New(env, "install(transceiver, side, bridgeId)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const bool video = t->transceiver()->media_type() == cricket::MEDIA_TYPE_VIDEO;
  const bool sender = info[1].As<Napi::String>().Utf8Value() == "sender";
  bridge->SetUse(video, sender);
  bridge->SetTransceiver(t->Link());
  if (sender) {
    rtc::scoped_refptr<webrtc::RtpSenderInterface> s = t->transceiver()->sender();
    // A relay's forwarding hook holds the slot (media/transformer_slots.h): chained behind it.
    ChainableHook* hook = TransformerSlots::ClaimForApplication(s.get());
    bridge->SetSlotKey(s.get());
    if (hook != nullptr) hook->SetNext(bridge);
    else s->SetEncoderToPacketizerFrameTransformer(bridge);
  } else {
    auto receiver = t->transceiver()->receiver();
    ChainableHook* hook = TransformerSlots::ClaimForApplication(receiver.get());
    bridge->SetSlotKey(receiver.get());
    if (hook != nullptr) {
      hook->SetNext(bridge);
      return env.Undefined();
    }
    rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track = receiver->track();
    if (track && track->kind() == webrtc::MediaStreamTrackInterface::kVideoKind) {
      bridge->SetKeyFrameSource(
          rtc::scoped_refptr<webrtc::VideoTrackSourceInterface>(static_cast<webrtc::VideoTrackInterface*>(track.get())->GetSource()));
    }
    if (track && track->kind() == webrtc::MediaStreamTrackInterface::kAudioKind && !track->enabled()) {
      // With a transformer, the receiver must not see the track's enabled change again (see
      // MediaStreamTrack::SetEnabled): the source's volume holds "disabled" from now on.
      track->set_enabled(true);
      webrtc::AudioSourceInterface* source = static_cast<webrtc::AudioTrackInterface*>(track.get())->GetSource();
      // The receiver observes its source's volume on the signaling thread.
      if (source != nullptr && t->signaling() != nullptr) t->signaling()->BlockingCall([&] { source->SetVolume(0.0); });
    }
    receiver->SetDepacketizerToDecoderFrameTransformer(bridge);
  }
  return env.Undefined();
}

Napi::Value EncodedStreams::PassThrough(const Napi::CallbackInfo& info) {
  if (auto bridge = EncodedTransformRegistry::Find(IdArg(info, 0))) bridge->SetPassThrough(true);
  return info.Env().Undefined();
}

Napi::Value EncodedStreams::RequestKeyFrame(const Napi::CallbackInfo& info) {
  auto bridge = EncodedTransformRegistry::Find(IdArg(info, 0));
  return Napi::Boolean::New(info.Env(), bridge && bridge->RequestKeyFrame());
}

// generateKeyFrame(bridgeId, rid?): the layer asked for (-1: every layer), or 'not-sending' |
// 'unknown-rid'.
Napi::Value EncodedStreams::GenerateKeyFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bridge = EncodedTransformRegistry::Find(IdArg(info, 0));
  if (!bridge) return Napi::String::New(env, "not-sending");
  std::string rid;
  const bool has_rid = info.Length() > 1 && info[1].IsString();
  if (has_rid) rid = info[1].As<Napi::String>().Utf8Value();
  int layer = -1;
  switch (bridge->GenerateKeyFrame(has_rid ? &rid : nullptr, &layer)) {
    case EncodedFrameBridge::KeyFrameResult::kRequested: return Napi::Number::New(env, layer);
    case EncodedFrameBridge::KeyFrameResult::kUnknownRid: return Napi::String::New(env, "unknown-rid");
    default: return Napi::String::New(env, "not-sending");
  }
}

Napi::Value EncodedStreams::Offer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[2].IsTypedArray()) {
    Napi::TypeError::New(env, "offer(threadId, bridgeId, options)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto bytes = info[2].As<Napi::Uint8Array>();
  EncodedTransformRegistry::Offer offer{IdArg(info, 1), std::vector<uint8_t>(bytes.Data(), bytes.Data() + bytes.ByteLength())};
  EncodedTransformRegistry::OfferTo(info[0].As<Napi::Number>().Int32Value(), std::move(offer));
  return env.Undefined();
}

Napi::Value EncodedStreams::FrameData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameBox* box = Box(info);
  if (box == nullptr) return env.Undefined();
  if (!box->frame) return Napi::ArrayBuffer::New(env, 0);
  auto data = box->frame->GetData();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, data.size());
  if (data.size() > 0) memcpy(ab.Data(), data.data(), data.size());
  return ab;
}

Napi::Value EncodedStreams::SetFrameData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameBox* box = Box(info);
  if (box == nullptr) return env.Undefined();
  if (info.Length() < 2 || !info[1].IsTypedArray()) {
    Napi::TypeError::New(env, "setFrameData(frame, Uint8Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto bytes = info[1].As<Napi::Uint8Array>();
  if (box->frame) box->frame->SetData(rtc::ArrayView<const uint8_t>(bytes.Data(), bytes.ByteLength()));
  return env.Undefined();
}

// { kind, direction, ssrc, payloadType, rtpTimestamp, size } and for video: type, width, height,
// frameId, dependencies, spatialIndex, temporalIndex; for received audio: sequenceNumber,
// contributingSources.
Napi::Value EncodedStreams::FrameInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameBox* box = Box(info);
  if (box == nullptr) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  const bool video = box->bridge->video();
  o.Set("kind", video ? "video" : "audio");
  o.Set("direction", box->bridge->sender() ? "sender" : "receiver");
  if (!box->frame) return o;
  webrtc::TransformableFrameInterface* f = box->frame.get();
  o.Set("ssrc", static_cast<double>(f->GetSsrc()));
  o.Set("payloadType", static_cast<double>(f->GetPayloadType()));
  o.Set("rtpTimestamp", static_cast<double>(f->GetTimestamp()));
  o.Set("size", static_cast<double>(f->GetData().size()));
  if (video) {
    auto* v = static_cast<webrtc::TransformableVideoFrameInterface*>(f);
    o.Set("type", f->GetData().size() == 0 ? "empty" : (v->IsKeyFrame() ? "key" : "delta"));
    const webrtc::VideoFrameMetadata& m = v->GetMetadata();
    o.Set("width", static_cast<double>(m.GetWidth()));
    o.Set("height", static_cast<double>(m.GetHeight()));
    if (auto id = m.GetFrameId()) o.Set("frameId", static_cast<double>(*id));
    auto deps = m.GetFrameDependencies();
    o.Set("dependencies", NumberArray(env, deps.data(), deps.size()));
    o.Set("spatialIndex", static_cast<double>(m.GetSpatialIndex()));
    o.Set("temporalIndex", static_cast<double>(m.GetTemporalIndex()));
    if (box->bridge->sender()) o.Set("layer", static_cast<double>(box->bridge->LayerOf(f->GetSsrc())));
  } else if (!box->bridge->sender()) {
    // Only received audio frames carry an RTP header in this libwebrtc (a sent frame's GetHeader()
  // is not there to call).
    auto* a = static_cast<webrtc::TransformableAudioFrameInterface*>(f);
    const webrtc::RTPHeader& h = a->GetHeader();
    o.Set("sequenceNumber", static_cast<double>(h.sequenceNumber));
    Napi::Array csrcs = Napi::Array::New(env, h.numCSRCs);
    for (uint32_t i = 0; i < h.numCSRCs && i < webrtc::kRtpCsrcSize; i++) csrcs.Set(i, static_cast<double>(h.arrOfCSRCs[i]));
    o.Set("contributingSources", csrcs);
  }
  return o;
}

// The frame goes on to libwebrtc (at most once); false when it already went.
Napi::Value EncodedStreams::ReturnFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameBox* box = Box(info);
  if (box == nullptr) return env.Undefined();
  if (!box->frame) return Napi::Boolean::New(env, false);
  box->bridge->Return(std::move(box->frame));
  return Napi::Boolean::New(env, true);
}

// --- NativeTransformListener ------------------------------------------------------------------

class TransformListener::Inbox : public EncodedTransformRegistry::Listener,
                                 public std::enable_shared_from_this<TransformListener::Inbox> {
 public:
  explicit Inbox(std::shared_ptr<Dispatcher> dispatcher)
      : dispatcher_(std::move(dispatcher)), link_(std::make_shared<Link<TransformListener>>()) {}
  const LinkPtr<TransformListener>& link() const { return link_; }
  void OnOffer(EncodedTransformRegistry::Offer offer) override {
    dispatcher_->Post([link = link_, offer = std::move(offer)](Napi::Env env) mutable {
      TransformListener* target = link->target;
      auto bridge = EncodedTransformRegistry::Find(offer.bridge_id);
      if (target == nullptr || !bridge) return;
      Napi::HandleScope scope(env);
      Napi::Buffer<uint8_t> options = Napi::Buffer<uint8_t>::Copy(env, offer.options.data(), offer.options.size());
      target->Emit({Napi::Number::New(env, static_cast<double>(offer.bridge_id)), options});
    });
  }

 private:
  std::shared_ptr<Dispatcher> dispatcher_;
  LinkPtr<TransformListener> link_;
};

Napi::Function TransformListener::Define(Napi::Env env) {
  return DefineClass(env, "NativeTransformListener", {InstanceMethod<&TransformListener::Close>("close"),
                                                      InstanceMethod<&TransformListener::KeepAlive>("keepAlive")});
}

TransformListener::TransformListener(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TransformListener>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "NativeTransformListener(threadId, onOffer)").ThrowAsJavaScriptException();
    return;
  }
  runtime_ = Addon::Of(env)->runtime();
  thread_id_ = info[0].As<Napi::Number>().Int32Value();
  on_offer_ = Napi::Persistent(info[1].As<Napi::Function>());
  inbox_ = std::make_shared<Inbox>(runtime_->dispatcher());
  inbox_->link()->target = this;
  runtime_->RegisterSink(this);
  EncodedTransformRegistry::Listen(thread_id_, inbox_);
}

TransformListener::~TransformListener() { ReleaseNative(); }

void TransformListener::ReleaseNative() {
  on_offer_.Reset();
  if (!inbox_) return;
  if (kept_alive_) runtime_->dispatcher()->KeepAlive(Env(), -1);
  kept_alive_ = false;
  runtime_->Unregister(this);
  EncodedTransformRegistry::Unlisten(thread_id_, inbox_.get());
  inbox_->link()->target = nullptr;
  inbox_.reset();
}

void TransformListener::Emit(std::initializer_list<napi_value> args) {
  if (on_offer_.IsEmpty()) return;
  on_offer_.Call(args);
}

Napi::Value TransformListener::KeepAlive(const Napi::CallbackInfo& info) {
  bool on = info.Length() > 0 && info[0].ToBoolean().Value();
  if (inbox_ && on != kept_alive_) {
    runtime_->dispatcher()->KeepAlive(info.Env(), on ? +1 : -1);
    kept_alive_ = on;
  }
  return info.Env().Undefined();
}

Napi::Value TransformListener::Close(const Napi::CallbackInfo& info) {
  ReleaseNative();
  return info.Env().Undefined();
}

}  // namespace nlw
