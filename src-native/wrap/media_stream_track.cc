#include "wrap/media_stream_track.h"

#include "media/forwarded_sources.h"
#include "media/transformer_slots.h"

#include <algorithm>
#include <cmath>

#include "addon.h"
#include "pc/peer_connection_internal.h"
#include "pc/rtp_transceiver.h"
#include "wrap/peer_connection_observer.h"
#include "rtc_base/helpers.h"

namespace nlw {

namespace {

struct TrackInit {
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track;
  std::shared_ptr<SyntheticSource> source;
  webrtc::PeerConnectionFactoryInterface* home;
};

// A number member of `o`, or `fallback` when absent or not a number.
double NumberOr(const Napi::Object& o, const char* name, double fallback) {
  Napi::Value v = o.Get(name);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

Napi::Object OptionsArg(const Napi::CallbackInfo& info) {
  return info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(info.Env());
}

void ThrowError(Napi::Env env, const std::string& message) {
  Napi::Error::New(env, message).ThrowAsJavaScriptException();
}

}  // namespace

void SyntheticSource::Stop() {
  if (video) video->Stop();
  if (audio) audio->Stop();
}

Napi::Function MediaStreamTrack::Define(Napi::Env env) {
  return DefineClass(env, "NativeMediaStreamTrack",
                     {InstanceAccessor<&MediaStreamTrack::Kind>("kind"),
                      InstanceAccessor<&MediaStreamTrack::Id>("id"),
                      InstanceMethod<&MediaStreamTrack::SetEnabled>("setEnabled"),
                      InstanceMethod<&MediaStreamTrack::Stop>("stop"),
                      InstanceMethod<&MediaStreamTrack::Clone>("clone"),
                      InstanceMethod<&MediaStreamTrack::Settings>("settings"),
                      InstanceMethod<&MediaStreamTrack::ApplyConstraints>("applyConstraints"),
                      InstanceMethod<&MediaStreamTrack::SetContentHint>("setContentHint")});
}

Napi::Object MediaStreamTrack::NewWith(Napi::Env env,
                                       rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track,
                                       std::shared_ptr<SyntheticSource> source,
                                       webrtc::PeerConnectionFactoryInterface* home) {
  TrackInit init{std::move(track), std::move(source), home};
  auto ext = Napi::External<TrackInit>::New(env, &init);
  return Addon::Of(env)->media_stream_track_constructor().New({ext});
}

Napi::Object MediaStreamTrack::NewInstance(Napi::Env env,
                                           rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track,
                                           webrtc::PeerConnectionFactoryInterface* home,
                                           rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver,
                                           const std::shared_ptr<PeerConnectionShared>& home_pc) {
  Napi::Object o = NewWith(env, track, nullptr, home);
  if (MediaStreamTrack* t = Unwrap(o); t != nullptr && track) {
    // Relayed audio (RelayAudioSource) and RTP forwarding (ForwardSourceOf) find the publisher by them.
    t->receiver_ = std::move(receiver);
    t->home_pc_ = home_pc;
    if (track->kind() == webrtc::MediaStreamTrackInterface::kVideoKind) {
      t->gate_ = DecodeGate::Attach(
          rtc::scoped_refptr<webrtc::VideoTrackInterface>(static_cast<webrtc::VideoTrackInterface*>(track.get())));
    }
    t->remote_info_ = std::make_unique<RemoteTrackInfo>(track);
  }
  return o;
}

MediaStreamTrack* MediaStreamTrack::Unwrap(Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  Napi::Env env = value.Env();
  Napi::FunctionReference& ctor = Addon::Of(env)->media_stream_track_constructor();
  if (ctor.IsEmpty() || !value.As<Napi::Object>().InstanceOf(ctor.Value())) return nullptr;
  return Napi::ObjectWrap<MediaStreamTrack>::Unwrap(value.As<Napi::Object>());
}

MediaStreamTrack::MediaStreamTrack(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MediaStreamTrack>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal()) {
    Napi::TypeError::New(env, "Illegal constructor").ThrowAsJavaScriptException();
    return;
  }
  TrackInit* init = info[0].As<Napi::External<TrackInit>>().Data();
  runtime_ = Addon::Of(env)->runtime();
  track_ = std::move(init->track);
  source_ = std::move(init->source);
  home_factory_ = init->home;
  if (!track_) return;
  kind_ = track_->kind();
  id_ = track_->id();
  if (source_) {
    source_->live_tracks++;
    using_source_ = true;
  }
  runtime_->RegisterTrack(this);
}

MediaStreamTrack::~MediaStreamTrack() { ReleaseNative(); }

void MediaStreamTrack::EndUse() {
  if (!using_source_) return;
  using_source_ = false;
  if (--source_->live_tracks == 0) source_->Stop();
}

void MediaStreamTrack::ReleaseNative() {
  if (!track_ && !source_) return;
  runtime_->Unregister(this);
  EndUse();
  if (runtime_->process_exiting()) {
    // Each step below is a blocking hop to a shard thread that may be busy with media: 50
    // remote tracks took the exit past 2 s. The process is ending: leave them to the OS.
    (void)remote_info_.release();
    if (gate_) (void)gate_.release();
    (void)track_.release();
    if (relay_) (void)relay_.release();
    if (relay_audio_) (void)relay_audio_.release();
    (void)receiver_.release();
    (void)new decltype(source_)(std::move(source_));
    (void)new decltype(others_)(std::move(others_));
    (void)new decltype(relay_tracks_)(std::move(relay_tracks_));
    (void)new decltype(forward_tracks_)(std::move(forward_tracks_));
    return;
  }
  if (remote_info_) remote_info_->Stop();  // before the track goes: it holds the sink
  sent_demand_ = AudioDemand::Hold();
  remote_info_.reset();
  if (gate_) gate_->Detach();  // a blocking hop to the track's thread
  gate_ = nullptr;
  source_.reset();
  others_.clear();
  relay_tracks_.clear();
  forward_tracks_.clear();
  if (relay_) relay_->Detach();  // blocking hops to the remote track's thread
  relay_ = nullptr;
  if (relay_audio_) relay_audio_->Detach();  // a blocking hop; its senders' feeds keep it
  relay_audio_ = nullptr;
  // Dropped on the connection's thread (as RtpTransceiver::ReleaseNative does): the proxy's
  // destructor would otherwise wait for it.
  if (rtc::Thread* home = home_factory_ ? runtime_->ThreadOf(home_factory_) : nullptr; home && !home->IsCurrent() && receiver_) {
    home->PostTask([r = std::move(receiver_)]() mutable { r = nullptr; });
  }
  receiver_ = nullptr;
  // The proxy's last reference, if it is, hops to the signaling thread to destroy the track.
  track_ = nullptr;
}

Napi::Value MediaStreamTrack::Kind(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), kind_); }
Napi::Value MediaStreamTrack::Id(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), id_); }

void MediaStreamTrack::PinGate() {
  if (!gate_ || gate_pinned_) return;
  gate_pinned_ = true;
  gate_->Pin();
}

// A disabled video track sends black frames, a disabled audio track silence (libwebrtc).
void MediaStreamTrack::SetEnabled(const Napi::CallbackInfo& info) {
  bool enabled = info.Length() > 0 && info[0].ToBoolean().Value();
  enabled_->store(enabled);
  if (track_ && receiver_ && kind_ == webrtc::MediaStreamTrackInterface::kAudioKind &&
      TransformerSlots::HeldByApplication(receiver_.get())) {
    // M108's audio receiver hands its frame transformer to the receive stream again on every
    // enabled change, and the stream aborts on the second one (ChannelReceive: "Not setting the
    // transformer?"). The source's volume carries the change instead: the same output volume
    // (0 while disabled) the receiver would set, without giving the transformer again.
    // The receiver observes its source's volume on the signaling thread.
    webrtc::AudioSourceInterface* source = static_cast<webrtc::AudioTrackInterface*>(track_.get())->GetSource();
    rtc::Thread* home = home_factory_ ? runtime_->ThreadOf(home_factory_) : nullptr;
    if (source != nullptr && home != nullptr) home->BlockingCall([&] { source->SetVolume(enabled ? 1.0 : 0.0); });
  } else if (track_) {
    track_->set_enabled(enabled);
  }
  for (auto& [factory, track] : others_) track->set_enabled(enabled);
  for (auto& [factory, track] : relay_tracks_) track->set_enabled(enabled);
  for (auto& f : forward_tracks_) f.track->set_enabled(enabled);
  if (relay_audio_) relay_audio_->SetMuted(!enabled);
}

// The publisher's side of RTP forwarding for a sender of this (remote) track: a gate of the
// sender's own, the same receiver and thread for every sender.
std::shared_ptr<ForwardSource> MediaStreamTrack::ForwardSourceOf(bool audio) {
  auto made = std::make_shared<ForwardSource>();
  made->receiver = receiver_;
  made->pc = home_pc_;
  made->thread = runtime_->ThreadOf(home_factory_);
  made->audio = audio;
  made->gate = std::make_shared<ForwardGate>();
  if (!audio && relay_) {
    rtc::scoped_refptr<RelayVideoSource> relay = relay_;
    made->request_key_frame = [relay] { relay->RequestKeyFrame(); };
  }
  if (audio && relay_audio_) {
    rtc::scoped_refptr<RelayAudioSource> relay = relay_audio_;
    made->muted = [relay] { return relay->muted(); };
  }
  return made;
}

rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> MediaStreamTrack::TrackFor(
    webrtc::PeerConnectionFactoryInterface* factory, bool forward_encoded, rtc::scoped_refptr<RelayAudioFeed>* feed,
    std::shared_ptr<ForwardSource>* forward) {
  if (!track_) return track_;
  const bool rtp_forward = forward != nullptr && RtpForwarder::Enabled() && receiver_ && home_factory_ != nullptr &&
                           runtime_->ThreadOf(home_factory_) != nullptr;
  if (forward_encoded && feed != nullptr && factory != nullptr && !source_ && receiver_ &&
      home_factory_ != nullptr &&
      kind_ == webrtc::MediaStreamTrackInterface::kAudioKind) {
    // Forwarded Opus (media/relay_audio_source.h): decoded only while a feed asks for it.
    if (!relay_audio_) {
      // The receiver's transceiver, if its connection is still open (a blocking hop to its thread).
      rtc::Thread* home = runtime_->ThreadOf(home_factory_);
      rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver;
      if (std::shared_ptr<PeerConnectionShared> pc = home_pc_.lock(); pc && home != nullptr) {
        transceiver = home->BlockingCall([&]() -> rtc::scoped_refptr<webrtc::RtpTransceiverInterface> {
          if (pc->internal == nullptr) return nullptr;
          for (const auto& t : pc->internal->GetTransceiversInternal())
            if (t->internal()->receiver() == receiver_) return t;
          return nullptr;
        });
      }
      relay_audio_ = RelayAudioSource::Create(
          rtc::scoped_refptr<webrtc::AudioTrackInterface>(static_cast<webrtc::AudioTrackInterface*>(track_.get())), receiver_,
          std::move(transceiver), home);
      relay_audio_->SetMuted(!track_->enabled());
    }
    rtc::scoped_refptr<RelayAudioFeed> made = relay_audio_->NewFeed();
    std::shared_ptr<ForwardSource> source = rtp_forward ? ForwardSourceOf(true) : nullptr;
    if (source) made->SetForwardGate(source->gate);
    rtc::scoped_refptr<webrtc::AudioTrackInterface> track = factory->CreateAudioTrack(id_, made.get());
    if (track) {
      *feed = std::move(made);
      if (source) *forward = std::move(source);
      return track;
    }
  }
  // A remote audio track sent on: its audio must be decoded for the sender to have any.
  if (!source_ && kind_ == webrtc::MediaStreamTrackInterface::kAudioKind)
    sent_demand_ = AudioDemand::Hold(track_.get());
  if (factory == nullptr || home_factory_ == nullptr) {
    if (!source_) PinGate();  // a sender of the track itself (no-op for audio: no gate)
    return track_;
  }
  if (forward_encoded && !source_ && kind_ == webrtc::MediaStreamTrackInterface::kVideoKind) {
    auto it = relay_tracks_.find(factory);
    if (!rtp_forward && it != relay_tracks_.end()) return it->second;
    if (!relay_) {
      relay_ = RelayVideoSource::Create(
          rtc::scoped_refptr<webrtc::VideoTrackInterface>(static_cast<webrtc::VideoTrackInterface*>(track_.get())),
          runtime_->ThreadOf(home_factory_));
    }
    if (rtp_forward) {
      // A track of the sender's own, behind its gate (media/forward_gate.h).
      std::shared_ptr<ForwardSource> source = ForwardSourceOf(false);
      auto gated = rtc::make_ref_counted<GatedVideoSource>(
          rtc::scoped_refptr<webrtc::VideoTrackSourceInterface>(relay_.get()), source->gate);
      rtc::scoped_refptr<webrtc::VideoTrackInterface> own = factory->CreateVideoTrack(id_, gated.get());
      if (own) {
        own->set_enabled(track_->enabled());
        // Tracks of senders that let them go (1,000 subscribers joining and leaving keep none).
        forward_tracks_.erase(std::remove_if(forward_tracks_.begin(), forward_tracks_.end(),
                                             [](const ForwardTrack& f) { return f.source->Idle(); }),
                              forward_tracks_.end());
        forward_tracks_.push_back(ForwardTrack{own, gated});
        *forward = std::move(source);
        return own;
      }
    }
    rtc::scoped_refptr<webrtc::VideoTrackInterface> track = factory->CreateVideoTrack(id_, relay_.get());
    if (!track) return track_;
    track->set_enabled(track_->enabled());
    relay_tracks_[factory] = track;
    return track;
  }
  if (factory == home_factory_) {
    // libwebrtc's encoder of that sender takes the pictures: decode them for good.
    if (!source_) PinGate();
    return track_;
  }
  auto it = others_.find(factory);
  if (it != others_.end()) return it->second;
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track;
  if (!source_) {
    // A remote track relayed to a connection of another shard (media/forwarded_sources.h).
    if (track_->kind() == webrtc::MediaStreamTrackInterface::kVideoKind) {
      PinGate();
      track = factory->CreateVideoTrack(
          id_, ForwardedVideoSource::Create(
                   rtc::scoped_refptr<webrtc::VideoTrackInterface>(static_cast<webrtc::VideoTrackInterface*>(track_.get())))
                   .get());
    } else {
      track = factory->CreateAudioTrack(
          id_, ForwardedAudioSource::Create(
                   rtc::scoped_refptr<webrtc::AudioTrackInterface>(static_cast<webrtc::AudioTrackInterface*>(track_.get())))
                   .get());
    }
    if (!track) return track_;
    track->set_enabled(track_->enabled());
    others_[factory] = track;
    return track;
  }
  if (auto* v = source_->video_source()) track = factory->CreateVideoTrack(id_, v);
  else if (auto* a = source_->audio_source()) track = factory->CreateAudioTrack(id_, a);
  if (!track) return track_;
  track->set_enabled(using_source_ && track_->enabled());
  others_[factory] = track;
  return track;
}

// Ends this track: it no longer keeps its synthetic source running, and a local one is disabled
// (libwebrtc's tracks have no stop: a sender still holding it sends black or silence while a clone
// keeps the source running, nothing once the source has stopped).
void MediaStreamTrack::Stop(const Napi::CallbackInfo&) {
  if (!using_source_) return;
  EndUse();
  // Only while a clone keeps the source running: a stopped source sends nothing anyway, and
  // set_enabled is a blocking hop to the signaling thread, behind whatever is queued there (after
  // close() of many connections, each stop() waited for their closes).
  if (source_ && source_->live_tracks > 0) {
    if (track_) track_->set_enabled(false);
    for (auto& [factory, track] : others_) track->set_enabled(false);
  }
}

// clone(): a new track with a new id on the same source.
Napi::Value MediaStreamTrack::Clone(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!track_) {
    ThrowError(env, "the track has been released");
    return env.Undefined();
  }
  std::string error;
  rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> factory = runtime_->MediaFactory(&error);
  if (!factory) {
    ThrowError(env, error);
    return env.Undefined();
  }
  std::string id = rtc::CreateRandomUuid();
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> copy;
  if (source_ && source_->video_source()) {
    copy = factory->CreateVideoTrack(id, source_->video_source());
  } else if (source_ && source_->audio_source()) {
    copy = factory->CreateAudioTrack(id, source_->audio_source());
  } else if (kind_ == webrtc::MediaStreamTrackInterface::kVideoKind) {
    // A remote video track: the source it returns is a proxy bound to its own connection's
    // threads, so another factory's track may use it.
    auto* video = static_cast<webrtc::VideoTrackInterface*>(track_.get());
    copy = factory->CreateVideoTrack(id, video->GetSource());
    PinGate();  // the clone's consumers are not counted: decode for good
  } else {
    // A remote audio track's source is bound to its connection's signaling thread and cannot
    // serve a track of another factory: the clone shares the libwebrtc track (and its enabled
    // flag) under a new id.
    Napi::Object clone = NewWith(env, track_, nullptr);
    if (MediaStreamTrack* t = Unwrap(clone)) {
      t->id_ = id;
      t->enabled_->store(enabled_->load());
    }
    return clone;
  }
  if (!copy) {
    ThrowError(env, "could not clone the track");
    return env.Undefined();
  }
  copy->set_enabled(track_->enabled());
  // A stopped track's clone is ended too (JS makes it so): it does not hold the source.
  Napi::Object clone = NewWith(env, copy, using_source_ ? source_ : nullptr, source_ ? factory.get() : nullptr);
  if (MediaStreamTrack* t = Unwrap(clone)) t->enabled_->store(enabled_->load());
  return clone;
}

Napi::Value MediaStreamTrack::Settings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  if (source_ && source_->video) {
    VideoSettings s = source_->video->settings();
    o.Set("width", s.width);
    o.Set("height", s.height);
    o.Set("frameRate", s.frame_rate);
  } else if (source_ && source_->audio) {
    AudioSettings s = source_->audio->settings();
    o.Set("sampleRate", s.sample_rate);
    o.Set("channelCount", s.channel_count);
    o.Set("sampleSize", 16);
    o.Set("frequency", s.frequency);
  } else if (source_ && source_->pushed_video) {
    if (source_->pushed_video->width() > 0) {
      o.Set("width", source_->pushed_video->width());
      o.Set("height", source_->pushed_video->height());
    }
  } else if (source_ && source_->pushed_audio) {
    if (source_->pushed_audio->sample_rate() > 0) {
      o.Set("sampleRate", source_->pushed_audio->sample_rate());
      o.Set("channelCount", source_->pushed_audio->channels());
      o.Set("sampleSize", 16);
    }
  } else if (remote_info_) {
    if (remote_info_->width() > 0) {
      o.Set("width", remote_info_->width());
      o.Set("height", remote_info_->height());
    }
    // Pictures left undecoded (media/decode_gate.h) count too: the gate sees them all.
    const double rate = gate_ && gate_->frame_rate() > 0 ? gate_->frame_rate() : remote_info_->frame_rate();
    if (rate > 0) o.Set("frameRate", std::round(rate * 100) / 100);
    if (remote_info_->sample_rate() > 0) {
      o.Set("sampleRate", remote_info_->sample_rate());
      o.Set("channelCount", remote_info_->channels());
    }
  }
  return o;
}

// applyConstraints({width, height, frameRate, sampleRate, channelCount, frequency}): the members
// given replace the synthetic source's settings (JS has resolved the constraints to values).
void MediaStreamTrack::ApplyConstraints(const Napi::CallbackInfo& info) {
  Napi::Object o = OptionsArg(info);
  if (source_ && source_->video) {
    VideoSettings s = source_->video->settings();
    s.width = static_cast<int>(NumberOr(o, "width", s.width));
    s.height = static_cast<int>(NumberOr(o, "height", s.height));
    s.frame_rate = NumberOr(o, "frameRate", s.frame_rate);
    source_->video->Reconfigure(s);
  } else if (source_ && source_->audio) {
    AudioSettings s = source_->audio->settings();
    s.sample_rate = static_cast<int>(NumberOr(o, "sampleRate", s.sample_rate));
    s.channel_count = static_cast<int>(NumberOr(o, "channelCount", s.channel_count));
    s.frequency = NumberOr(o, "frequency", s.frequency);
    source_->audio->Reconfigure(s);
  }
}

// setContentHint('' | 'motion' | 'detail' | 'text' | 'speech' | 'speech-recognition' | 'music'):
// video hints tell the encoder what to keep (frame rate or resolution).
void MediaStreamTrack::SetContentHint(const Napi::CallbackInfo& info) {
  if (!track_ || kind_ != webrtc::MediaStreamTrackInterface::kVideoKind) return;
  std::string hint = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  using Hint = webrtc::VideoTrackInterface::ContentHint;
  Hint h = hint == "motion" ? Hint::kFluid : hint == "detail" ? Hint::kDetailed
         : hint == "text" ? Hint::kText : Hint::kNone;
  static_cast<webrtc::VideoTrackInterface*>(track_.get())->set_content_hint(h);
}

Napi::Value MediaStreamTrack::NewLocal(Napi::Env env, const std::shared_ptr<SyntheticSource>& source) {
  std::string error;
  rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> factory =
      Addon::Of(env)->runtime()->MediaFactory(&error);
  if (!factory) {
    ThrowError(env, error);
    return env.Undefined();
  }
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track;
  if (auto* v = source->video_source()) track = factory->CreateVideoTrack(rtc::CreateRandomUuid(), v);
  else if (auto* a = source->audio_source()) track = factory->CreateAudioTrack(rtc::CreateRandomUuid(), a);
  if (!track) {
    ThrowError(env, "could not create a track");
    return env.Undefined();
  }
  return NewWith(env, track, source, factory.get());
}

Napi::Value MediaStreamTrack::CreateSyntheticVideoTrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = OptionsArg(info);
  VideoSettings s;
  s.width = static_cast<int>(NumberOr(o, "width", s.width));
  s.height = static_cast<int>(NumberOr(o, "height", s.height));
  s.frame_rate = NumberOr(o, "frameRate", s.frame_rate);
  auto source = std::make_shared<SyntheticSource>();
  source->video = SyntheticVideoSource::Create(s);
  Napi::Value track = NewLocal(env, source);
  if (env.IsExceptionPending()) source->Stop();  // no track: the source must not keep ticking
  return track;
}

Napi::Value MediaStreamTrack::CreateSyntheticAudioTrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = OptionsArg(info);
  AudioSettings s;
  s.sample_rate = static_cast<int>(NumberOr(o, "sampleRate", s.sample_rate));
  s.channel_count = static_cast<int>(NumberOr(o, "channelCount", s.channel_count));
  s.frequency = NumberOr(o, "frequency", s.frequency);
  auto source = std::make_shared<SyntheticSource>();
  source->audio = SyntheticAudioSource::Create(s);
  Napi::Value track = NewLocal(env, source);
  if (env.IsExceptionPending()) source->Stop();  // no track: the source must not keep ticking
  return track;
}

}  // namespace nlw
